package roles

import (
	"strings"
	"testing"
)

// oneshot, creates and optional waits: what is accepted, and what is
// refused with its key's line.
func TestOneShotAndOptionalWaits(t *testing.T) {
	const ok = `
[roles.a]
[roles.b]
[services.setup]
command = ["/setup"]
oneshot = true
required = true
creates = ["@@DATA@@/done"]
[services.app]
command = ["/app"]
wait = ["setup", "other"]
waits = { other = { optional = true } }
[services.other]
command = ["/other"]
[vars]
data = "/d"
[configs.one.roles]
a = ["setup", "app"]
[configs.two.roles]
a = ["setup", "app"]
b = ["other"]
`
	cfg, err := Parse("k.toml", []byte(ok))
	if err != nil {
		t.Fatalf("valid config refused:\n%v", err)
	}
	s := cfg.Services["setup"]
	if !s.OneShot || len(s.Creates) != 1 || s.Ready.Kind != "none" {
		t.Fatalf("setup: %+v", s)
	}
	for _, tt := range []struct {
		config string
		waits  string
	}{{"one", "setup"}, {"two", "setup,other"}} {
		env := Env{"KINIT_CONFIG_ID": tt.config, "KINIT_ROLE": "a", "KINIT_FQDN": "h.example"}
		if tt.config == "two" {
			env["KINIT_NODES"] = "a=h.example;b=o.example"
		}
		n, err := Resolve(cfg, env)
		if err != nil {
			t.Fatalf("config %s: %v", tt.config, err)
		}
		var got []string
		for _, s := range n.Services {
			if s.ID == "app" {
				for _, w := range s.Waits {
					got = append(got, w.Service)
				}
			}
		}
		if strings.Join(got, ",") != tt.waits {
			t.Errorf("config %s: app waits for %v, want %s", tt.config, got, tt.waits)
		}
	}
	if len(cfg.Services["app"].Waits) != 2 {
		t.Error("resolving a node changed the config's service")
	}

	for _, tt := range []struct{ name, toml, want string }{
		{"probe on a one-shot", `
[roles.a]
[services.s]
command = ["/s"]
oneshot = true
ready = { kind = "tcp", address = "127.0.0.1:1" }
[configs.c.roles]
a = ["s"]`, `6: service "s": a one-shot service has no ready probe`},
		{"creates without oneshot", `
[roles.a]
[services.s]
command = ["/s"]
creates = ["/x"]
[configs.c.roles]
a = ["s"]`, `5: service "s": creates is for one-shot services`},
		{"relative creates", `
[roles.a]
[services.s]
command = ["/s"]
oneshot = true
creates = ["x"]
[configs.c.roles]
a = ["s"]`, `not an absolute path`},
		{"required wait outside config", `
[roles.a]
[services.s]
command = ["/s"]
wait = ["t"]
[services.t]
command = ["/t"]
[configs.c.roles]
a = ["s"]`, `waits for "t", which no role of this config runs`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("k.toml", []byte(tt.toml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want %q, got:\n%v", tt.want, err)
			}
		})
	}
}
