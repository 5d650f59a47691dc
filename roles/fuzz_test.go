package roles

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: loading never panics, every problem carries the file name, and
// a config that loads only references services and roles it defines.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/bad/*.toml")
	files = append(files, shipped, "testdata/minimal.toml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.toml", data)
		if err != nil {
			for _, p := range Problems(err) {
				if e, ok := p.(*Error); !ok || e.File != "f.toml" {
					t.Fatalf("problem without the file: %v", p)
				}
			}
			return
		}
		for id, cc := range cfg.Configs {
			for role, svcs := range cc.Roles {
				if cfg.Roles[role] == nil {
					t.Fatalf("config %s uses undefined role %s", id, role)
				}
				for _, s := range svcs {
					if cfg.Services[s] == nil {
						t.Fatalf("config %s role %s runs undefined service %s", id, role, s)
					}
				}
			}
		}
	})
}

// FuzzParseNodes: the nodes list parser never panics and never returns an
// entry without a host.
func FuzzParseNodes(f *testing.F) {
	f.Add("zookeeper=1@zk-1.example,2@zk-2.example;broker=b-1 b-2\n# c\nbroker=b-3")
	f.Add("=;;@@,=x")
	f.Fuzz(func(t *testing.T, text string) {
		nl, err := ParseNodes("nodes", text)
		if err != nil {
			return
		}
		for _, e := range nl.Entries {
			if e.Host == "" || e.Role == "" {
				t.Fatalf("empty entry %+v from %q", e, text)
			}
		}
	})
}
