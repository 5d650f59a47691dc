package image

import (
	"fmt"
	"slices"
	"strings"
)

// KinitParts are what a Dockerfile says about kinit: how it starts, stops
// and is checked, who it runs as, what it keeps, and its KINIT_* settings.
// Two Dockerfiles of the same image (Debian, CentOS) must agree on them.
type KinitParts struct {
	Entrypoint, Cmd, Healthcheck, StopSignal, User string
	Volumes                                        []string
	Env                                            map[string]string // KINIT_* only
	CopiesRootfs                                   bool
}

// PartsOf reads the final stage's kinit parts.
func PartsOf(ins []Instruction) KinitParts {
	p := KinitParts{Env: map[string]string{}}
	last := ""
	for _, in := range ins {
		if in.Stage != last && in.Cmd == "FROM" {
			p = KinitParts{Env: map[string]string{}} // a later stage starts over
			last = in.Stage
		}
		args := strings.Join(strings.Fields(in.Args), " ")
		switch in.Cmd {
		case "ENTRYPOINT":
			p.Entrypoint = args
		case "CMD":
			p.Cmd = args
		case "HEALTHCHECK":
			p.Healthcheck = args
		case "STOPSIGNAL":
			p.StopSignal = args
		case "USER":
			p.User = args
		case "VOLUME":
			vs, ok := ExecForm(in.Args)
			if !ok {
				vs = strings.Fields(in.Args)
			}
			p.Volumes = append(p.Volumes, vs...)
		case "ENV":
			for k, v := range envPairs(in.Args) {
				if strings.HasPrefix(k, "KINIT_") {
					p.Env[k] = v
				}
			}
		case "COPY":
			if c, err := ParseCopy(in.Args); err == nil && c.From == "" && slices.Contains(c.Sources, "rootfs/") && c.Dest == "/" {
				p.CopiesRootfs = true
			}
		}
	}
	slices.Sort(p.Volumes)
	return p
}

// Disagreements lists how b's kinit parts differ from a's.
func Disagreements(nameA string, a KinitParts, nameB string, b KinitParts) []string {
	var out []string
	field := func(what, x, y string) {
		if x != y {
			out = append(out, fmt.Sprintf("%s: %s has %q, %s has %q", what, nameA, x, nameB, y))
		}
	}
	field("ENTRYPOINT", a.Entrypoint, b.Entrypoint)
	field("CMD", a.Cmd, b.Cmd)
	field("HEALTHCHECK", a.Healthcheck, b.Healthcheck)
	field("STOPSIGNAL", a.StopSignal, b.StopSignal)
	field("USER", a.User, b.User)
	field("VOLUME", strings.Join(a.Volumes, " "), strings.Join(b.Volumes, " "))
	for _, k := range unionKeys(a.Env, b.Env) {
		field("ENV "+k, a.Env[k], b.Env[k])
	}
	if a.CopiesRootfs != b.CopiesRootfs {
		out = append(out, fmt.Sprintf("COPY rootfs/ /: %s %v, %s %v", nameA, a.CopiesRootfs, nameB, b.CopiesRootfs))
	}
	return out
}

func unionKeys(a, b map[string]string) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// envPairs reads ENV K=V [K=V…] (quotes removed) or the old ENV K V.
func envPairs(args string) map[string]string {
	out := map[string]string{}
	keys := EnvKeys(args)
	fields := strings.Fields(strings.ReplaceAll(args, "\\\n", " "))
	if len(keys) == 1 && len(fields) > 1 && !strings.Contains(fields[0], "=") {
		out[keys[0]] = strings.Join(fields[1:], " ")
		return out
	}
	for _, f := range fields {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = strings.Trim(v, `"'`)
		}
	}
	return out
}
