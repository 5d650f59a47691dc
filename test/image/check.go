package image

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Repo is what the checks compare the image files against.
type Repo struct {
	Root   string // repository root, the Docker build context
	Config Config // rootfs/etc/kinit/kinit.toml
	Known  KnownEnv
}

// Problems collects findings as "file:line: message".
type Problems []string

func (p *Problems) add(file string, line int, format string, args ...any) {
	where := file
	if line > 0 {
		where = fmt.Sprintf("%s:%d", file, line)
	}
	*p = append(*p, where+": "+fmt.Sprintf(format, args...))
}

var (
	goBuildOut = regexp.MustCompile(`-o\s+(\S+)`)
	goPkg      = regexp.MustCompile(`\s(\./cmd/[A-Za-z0-9_./-]+)`)
	standinRef = regexp.MustCompile(`kinit-standin-[a-z-]*[a-z]`)
)

// CheckDockerfile checks the Dockerfile at path (relative to r.Root).
func (r Repo) CheckDockerfile(path string) (Problems, []Instruction) {
	var p Problems
	ins, err := ParseDockerfile(filepath.Join(r.Root, path))
	if err != nil {
		p.add(path, 0, "cannot parse: %v", err)
		return p, nil
	}
	stages := map[string]bool{}
	runs := map[string]string{} // stage -> all RUN text
	copied := map[string]bool{} // destinations in the final image
	var entrypoint []string
	var health, stop string
	volumes := map[string]int{}
	kafkaHome := r.Config.Vars["kafka_home"]
	for _, in := range ins {
		switch in.Cmd {
		case "FROM":
			stages[in.Stage] = true
		case "RUN":
			runs[in.Stage] += in.Args + "\n"
			for _, m := range goPkg.FindAllStringSubmatch(in.Args, -1) {
				if !isMainPackage(filepath.Join(r.Root, m[1])) {
					p.add(path, in.Line, "go build of %s: no main package there", m[1])
				}
			}
		case "COPY", "ADD":
			c, err := ParseCopy(in.Args)
			if err != nil {
				p.add(path, in.Line, "%s: %v", in.Cmd, err)
				continue
			}
			for _, src := range c.Sources {
				switch {
				case c.From != "":
					if !stages[c.From] {
						p.add(path, in.Line, "COPY --from=%s: no such earlier stage", c.From)
					} else if !producedIn(runs[c.From], src) {
						p.add(path, in.Line, "COPY --from=%s %s: no RUN of that stage writes it (go build -o)", c.From, src)
					}
					copied[destFor(c, src)] = true
				case strings.Contains(src, "://"):
				default:
					matches, _ := filepath.Glob(filepath.Join(r.Root, src))
					if len(matches) == 0 {
						p.add(path, in.Line, "%s %s: not in the repository", in.Cmd, src)
					}
					if src == "rootfs/" || src == "rootfs" {
						r.addTree(copied, filepath.Join(r.Root, "rootfs"), c.Dest)
					}
				}
			}
		case "ENV":
			for _, k := range EnvKeys(in.Args) {
				if strings.HasPrefix(k, "KINIT_") && !r.Known.Knows(k) {
					p.add(path, in.Line, "ENV %s: kinit does not read this variable", k)
				}
			}
		case "ENTRYPOINT":
			var ok bool
			if entrypoint, ok = ExecForm(in.Args); !ok || len(entrypoint) == 0 {
				p.add(path, in.Line, "ENTRYPOINT must be in exec form so kinit is PID 1")
			}
		case "HEALTHCHECK":
			health = in.Args
		case "STOPSIGNAL":
			stop = in.Args
		case "VOLUME":
			vs, ok := ExecForm(in.Args)
			if !ok {
				vs = strings.Fields(in.Args)
			}
			for _, v := range vs {
				volumes[v] = in.Line
			}
		}
	}
	if len(entrypoint) > 0 && !copied[entrypoint[0]] {
		p.add(path, 0, "ENTRYPOINT %s: no COPY puts a file there", entrypoint[0])
	}
	if len(entrypoint) > 0 && (!strings.Contains(health, "CMD") || !strings.Contains(health, entrypoint[0]) || !strings.Contains(health, "health")) {
		p.add(path, 0, "HEALTHCHECK must run `%s health`", entrypoint[0])
	}
	if stop != "SIGTERM" {
		p.add(path, 0, "STOPSIGNAL is %q, want SIGTERM", stop)
	}
	if dataDir := r.Config.Vars["data_dir"]; dataDir != "" {
		for v, line := range volumes {
			if !strings.HasPrefix(v, dataDir+"/") {
				p.add(path, line, "VOLUME %s is not under kinit.toml's data_dir %s", v, dataDir)
			}
		}
	}
	// Each home of kinit.toml (kafka_home: 3.9, kraft_home: 4.4,
	// apicurio_home: the registry) is unpacked by a RUN, and every service
	// command under it is in the image.
	homes := map[string]string{"@@KAFKA_HOME@@": kafkaHome, "@@KRAFT_HOME@@": r.Config.Vars["kraft_home"], "@@APICURIO_HOME@@": r.Config.Vars["apicurio_home"]}
	unpacked := strings.Join(mapValues(runs), "")
	for macro, home := range homes {
		if home == "" {
			continue
		}
		if !strings.Contains(unpacked, "-C "+home) && !strings.Contains(unpacked, ":"+home+"\"") {
			p.add(path, 0, "no RUN unpacks into kinit.toml's %s %s", strings.ToLower(strings.Trim(macro, "@")), home)
		}
		for svc, cmd := range r.Config.Services {
			if len(cmd) == 0 || !strings.HasPrefix(cmd[0], macro) {
				continue
			}
			bin := strings.Replace(cmd[0], macro, home, 1)
			if strings.Contains(bin, "@@") {
				continue
			}
			if !copied[bin] {
				p.add(path, 0, "service %s runs %s, which the image does not contain", svc, bin)
			}
		}
	}
	// The registry's Java is a path kinit passes as JAVA_HOME: some RUN
	// must make it (an install or a link).
	if java := r.Config.Vars["registry_java_home"]; java != "" && !strings.Contains(unpacked, java) && !copied[java] {
		p.add(path, 0, "no RUN makes kinit.toml's registry_java_home %s", java)
	}
	if kafkaHome != "" {
		scripts, _ := filepath.Glob(filepath.Join(r.Root, "rootfs", strings.TrimPrefix(kafkaHome, "/"), "bin", "*"))
		for _, s := range scripts {
			data, _ := os.ReadFile(s)
			for _, name := range standinRef.FindAllString(string(data), -1) {
				if !copied[kafkaHome+"/bin/"+name] {
					p.add(path, 0, "%s execs %s, which no COPY puts into %s/bin", filepath.Base(s), name, kafkaHome)
				}
			}
		}
	}
	return p, ins
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// producedIn reports whether some `-o PATH` in the RUN text writes src.
func producedIn(runText, src string) bool {
	for _, m := range goBuildOut.FindAllStringSubmatch(runText, -1) {
		if m[1] == src {
			return true
		}
	}
	return false
}

func destFor(c CopySpec, src string) string {
	if strings.HasSuffix(c.Dest, "/") || len(c.Sources) > 1 {
		return filepath.Join(c.Dest, filepath.Base(src))
	}
	return c.Dest
}

// addTree records every file under dir as copied below dest.
func (r Repo) addTree(copied map[string]bool, dir, dest string) {
	_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			copied[filepath.Join(dest, rel)] = true
		}
		return nil
	})
}

func isMainPackage(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err == nil && regexp.MustCompile(`(?m)^package main\b`).Match(data) {
			return true
		}
	}
	return false
}

// CheckCompose checks the compose file at path (relative to r.Root) against
// the Dockerfile's instructions.
func (r Repo) CheckCompose(path string, dockerfile []Instruction) Problems {
	var p Problems
	data, err := os.ReadFile(filepath.Join(r.Root, path))
	if err != nil {
		p.add(path, 0, "cannot read: %v", err)
		return p
	}
	var doc struct {
		Services map[string]struct {
			Build       any    `yaml:"build"`
			Hostname    string `yaml:"hostname"`
			Environment any    `yaml:"environment"`
			Volumes     []any  `yaml:"volumes"`
			StopSignal  string `yaml:"stop_signal"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.add(path, 0, "cannot parse: %v", err)
		return p
	}
	if len(doc.Services) == 0 {
		p.add(path, 0, "no services")
	}
	volumes, stop := map[string]bool{}, ""
	for _, in := range dockerfile {
		switch in.Cmd {
		case "VOLUME":
			vs, ok := ExecForm(in.Args)
			if !ok {
				vs = strings.Fields(in.Args)
			}
			for _, v := range vs {
				volumes[v] = true
			}
		case "STOPSIGNAL":
			stop = in.Args
		}
	}
	hosts := map[string]bool{}
	for name, s := range doc.Services {
		hosts[name] = true
		if s.Hostname != "" {
			hosts[s.Hostname] = true
		}
	}
	names := make([]string, 0, len(doc.Services))
	for name := range doc.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	ids := map[string]string{}
	for _, name := range names {
		s := doc.Services[name]
		where := "service " + name
		if b, ok := s.Build.(map[string]any); ok {
			ctx, _ := b["context"].(string)
			if ctx == "" {
				ctx = "."
			}
			if st, err := os.Stat(filepath.Join(r.Root, ctx)); err != nil || !st.IsDir() {
				p.add(path, 0, "%s: build context %s is not a directory of the repository", where, ctx)
			}
			if df, _ := b["dockerfile"].(string); df != "" {
				if _, err := os.Stat(filepath.Join(r.Root, ctx, df)); err != nil {
					p.add(path, 0, "%s: dockerfile %s is not in the repository", where, df)
				}
			}
		}
		env := envMap(s.Environment)
		for _, k := range sortedKeys(env) {
			if strings.HasPrefix(k, "KINIT_") && !r.Known.Knows(k) {
				p.add(path, 0, "%s: %s: kinit does not read this variable", where, k)
			}
		}
		cfgID := env["KINIT_CONFIG_ID"]
		if cfgID == "" {
			cfgID = "default"
		}
		roles, ok := r.Config.Configs[cfgID]
		if !ok {
			p.add(path, 0, "%s: KINIT_CONFIG_ID %q is not a config of kinit.toml", where, cfgID)
		}
		role := env["KINIT_ROLE"]
		switch {
		case role == "":
			p.add(path, 0, "%s: no KINIT_ROLE", where)
		case !r.Config.Roles[role]:
			p.add(path, 0, "%s: KINIT_ROLE %q is not a role of kinit.toml", where, role)
		case ok && roles[role] == nil:
			p.add(path, 0, "%s: config %q has no services for role %q", where, cfgID, role)
		}
		if id := env["KINIT_NODE_ID"]; id != "" {
			key := role + "/" + id
			if other, dup := ids[key]; dup {
				p.add(path, 0, "%s: role %s node id %s already used by %s", where, role, id, other)
			}
			ids[key] = name
		}
		if nodes := env["KINIT_NODES"]; nodes != "" {
			for _, msg := range checkNodes(nodes, r.Config, hosts) {
				p.add(path, 0, "%s: KINIT_NODES: %s", where, msg)
			}
		}
		for _, v := range s.Volumes {
			spec, _ := v.(string)
			parts := strings.Split(spec, ":")
			if len(parts) >= 2 && !volumes[parts[1]] {
				p.add(path, 0, "%s: volume target %s is not a VOLUME of the image", where, parts[1])
			}
		}
		if s.StopSignal != "" && s.StopSignal != stop {
			p.add(path, 0, "%s: stop_signal %s differs from the image's STOPSIGNAL %s", where, s.StopSignal, stop)
		}
	}
	return p
}

// checkNodes reads "role=[id@]host,…;…" and checks roles and hosts.
func checkNodes(nodes string, cfg Config, hosts map[string]bool) []string {
	var out []string
	for _, group := range strings.FieldsFunc(nodes, func(r rune) bool { return r == ';' || r == '\n' }) {
		group = strings.TrimSpace(group)
		if group == "" {
			continue
		}
		role, list, ok := strings.Cut(group, "=")
		if !ok {
			out = append(out, fmt.Sprintf("bad group %q", group))
			continue
		}
		role = strings.TrimSpace(role)
		if !cfg.Roles[role] {
			out = append(out, fmt.Sprintf("role %q is not a role of kinit.toml", role))
		}
		for _, h := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
			if _, host, ok := strings.Cut(h, "@"); ok {
				h = host
			}
			if !hosts[h] {
				out = append(out, fmt.Sprintf("host %q is no service or hostname of the compose file", h))
			}
		}
	}
	return out
}

func envMap(v any) map[string]string {
	out := map[string]string{}
	switch e := v.(type) {
	case map[string]any:
		for k, val := range e {
			out[k] = fmt.Sprint(val)
		}
	case []any:
		for _, item := range e {
			if s, ok := item.(string); ok {
				k, val, _ := strings.Cut(s, "=")
				out[k] = val
			}
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
