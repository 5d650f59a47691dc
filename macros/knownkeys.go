package macros

import (
	"bufio"
	"embed"
	"strings"
	"sync"
)

//go:embed data/*.keys data/*.types data/launcher-vars.txt
var dataFS embed.FS

// KeySet is a list of known property names; entries ending in '*' match any
// suffix.
type KeySet struct {
	exact    map[string]bool
	prefixes []string
	norm     map[string]string // normalised spelling -> known key
}

func parseKeySet(text string) *KeySet {
	ks := &KeySet{exact: map[string]bool{}, norm: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if p, ok := strings.CutSuffix(line, "*"); ok {
			ks.prefixes = append(ks.prefixes, p)
			continue
		}
		ks.exact[line] = true
		ks.norm[normKey(line)] = line
	}
	return ks
}

// Has reports whether key is known.
func (ks *KeySet) Has(key string) bool {
	if ks == nil {
		return false
	}
	if ks.exact[key] {
		return true
	}
	for _, p := range ks.prefixes {
		if strings.HasPrefix(key, p) && len(key) > len(p) {
			return true
		}
	}
	return false
}

// Spelling returns the known key that equals key ignoring case and
// separators (ZooKeeper's camelCase: "client.port" -> "clientPort").
func (ks *KeySet) Spelling(key string) (string, bool) {
	if ks == nil {
		return "", false
	}
	k, ok := ks.norm[normKey(key)]
	return k, ok
}

func normKey(k string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		if r != '.' && r != '_' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	keySetsOnce sync.Once
	keySets     map[string]*KeySet
	launcher    *KeySet
)

func loadData() {
	keySets = map[string]*KeySet{}
	for _, name := range []string{"kafka", "zookeeper", "schema-registry", "control-center"} {
		data, err := dataFS.ReadFile("data/" + name + ".keys")
		if err != nil {
			panic("macros: embedded key list missing: " + name)
		}
		keySets[name] = parseKeySet(string(data))
	}
	data, err := dataFS.ReadFile("data/launcher-vars.txt")
	if err != nil {
		panic("macros: embedded launcher-vars.txt missing")
	}
	launcher = parseKeySet(string(data))
}

// KnownKeys returns the embedded key list by name ("kafka", "zookeeper",
// "schema-registry", "control-center"), nil for any other name.
func KnownKeys(name string) *KeySet {
	keySetsOnce.Do(loadData)
	return keySets[name]
}

func launcherVars() *KeySet {
	keySetsOnce.Do(loadData)
	return launcher
}
