package image

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

var kinitLiteral = regexp.MustCompile(`"(KINIT_[A-Z0-9_]*)"`)

// KnownEnv is what kinit reads: every "KINIT_…" string literal in the
// repository's non-test Go sources (a literal ending in "_", such as
// "KINIT_PORT_", is a prefix), plus KINIT_<VAR> for each [vars] entry of
// kinit.toml, which kinit.toml documents as overridable that way.
type KnownEnv struct {
	Exact    map[string]bool
	Prefixes []string
}

// Knows reports whether kinit reads name.
func (k KnownEnv) Knows(name string) bool {
	if k.Exact[name] {
		return true
	}
	for _, p := range k.Prefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

// Names lists the exact names, sorted, for messages.
func (k KnownEnv) Names() []string {
	var out []string
	for n := range k.Exact {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ScanKnownEnv builds KnownEnv from the sources under root and the config
// at tomlPath.
func ScanKnownEnv(root, tomlPath string) (KnownEnv, error) {
	k := KnownEnv{Exact: map[string]bool{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".cache", "testdata", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range kinitLiteral.FindAllStringSubmatch(string(data), -1) {
			name := m[1]
			switch {
			case name == "KINIT_": // built from a computed suffix: see [vars] below
			case strings.HasSuffix(name, "_"):
				k.Prefixes = append(k.Prefixes, name)
			default:
				k.Exact[name] = true
			}
		}
		return nil
	})
	if err != nil {
		return k, err
	}
	cfg, err := LoadConfig(tomlPath)
	if err != nil {
		return k, err
	}
	for name := range cfg.Vars {
		k.Exact["KINIT_"+strings.ToUpper(name)] = true
	}
	return k, nil
}

// Config is the part of kinit.toml the image files must agree with, read
// generically so this check does not depend on kinit's own loader.
type Config struct {
	Roles    map[string]bool
	Configs  map[string]map[string][]string // config id -> role -> services
	Vars     map[string]string
	Services map[string][]string // service -> command
}

// LoadConfig reads kinit.toml as a plain map.
func LoadConfig(path string) (Config, error) {
	var raw map[string]any
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		return Config{}, err
	}
	c := Config{Roles: map[string]bool{}, Configs: map[string]map[string][]string{}, Vars: map[string]string{}, Services: map[string][]string{}}
	for name := range table(raw, "roles") {
		c.Roles[name] = true
	}
	for id, v := range table(raw, "configs") {
		roles := map[string][]string{}
		if t, ok := v.(map[string]any); ok {
			for role, svcs := range table(t, "roles") {
				roles[role] = strs(svcs)
			}
		}
		c.Configs[id] = roles
	}
	for name, v := range table(raw, "vars") {
		if s, ok := v.(string); ok {
			c.Vars[name] = s
		}
	}
	for name, v := range table(raw, "services") {
		if t, ok := v.(map[string]any); ok {
			c.Services[name] = strs(t["command"])
		}
	}
	return c, nil
}

func table(m map[string]any, key string) map[string]any {
	t, _ := m[key].(map[string]any)
	return t
}

func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
