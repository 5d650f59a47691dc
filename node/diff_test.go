package node

import (
	"slices"
	"testing"
	"time"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
)

// What a reload does to each service, for each kind of change: restart
// for what the running process was started with, update in place for what
// only the next start or the supervisor reads, nothing when nothing moved.
func TestDiff(t *testing.T) {
	uid, other := 1000, 1001
	base := plan.Service{ID: "zk", Argv: []string{"zk", "a.conf"}, Env: []string{"A=1", "SECRET=s"}, Dir: "/d",
		UID: &uid, Grace: 10 * time.Second, Probe: &plan.Probe{Kind: "tcp", Address: "127.0.0.1:2181"}}
	file := &macros.File{Service: "zk", Dst: "/etc/zk.conf", Content: []byte("tickTime=2000\n"), Mode: 0o644}
	lastFiles := FileDigests(&macros.Rendering{Services: []*macros.Service{{Service: plan.Service{ID: "zk"}}}, Files: []*macros.File{file}})

	tests := []struct {
		name    string
		edit    func(*plan.Service, *macros.File)
		changed bool
		restart bool
		why     []string
	}{
		{"nothing", func(*plan.Service, *macros.File) {}, false, false, nil},
		{"rendered file", func(_ *plan.Service, f *macros.File) { f.Content = []byte("tickTime=3000\n") },
			true, true, []string{"rendered /etc/zk.conf"}},
		{"file mode", func(_ *plan.Service, f *macros.File) { f.Mode = 0o600 }, true, true, []string{"rendered /etc/zk.conf"}},
		{"command", func(s *plan.Service, _ *macros.File) { s.Argv = []string{"zk", "b.conf"} }, true, true, []string{"command"}},
		{"environment, names only", func(s *plan.Service, _ *macros.File) { s.Env = []string{"A=1", "SECRET=t", "B=2"} },
			true, true, []string{"environment (B, SECRET)"}},
		{"working directory", func(s *plan.Service, _ *macros.File) { s.Dir = "/e" }, true, true, []string{"working directory"}},
		{"user", func(s *plan.Service, _ *macros.File) { s.UID = &other }, true, true, []string{"user or group"}},
		{"capabilities", func(s *plan.Service, _ *macros.File) { s.Capabilities = []string{"CAP_NET_BIND_SERVICE"} },
			true, true, []string{"capabilities"}},
		{"grace: no restart", func(s *plan.Service, _ *macros.File) { s.Grace = 20 * time.Second }, true, false, nil},
		{"probe: no restart", func(s *plan.Service, _ *macros.File) {
			s.Probe = &plan.Probe{Kind: "tcp", Address: "127.0.0.1:2182"}
		}, true, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, f := base, *file
			tt.edit(&spec, &f)
			p := &macros.Rendering{Services: []*macros.Service{{Service: plan.Service{ID: "zk"}}}, Files: []*macros.File{&f}}
			got := Diff(Given{Specs: map[string]plan.Service{"zk": base}, Files: lastFiles}, p,
				plan.Plan{Services: []plan.Service{spec}})
			if !tt.changed {
				if len(got) != 0 {
					t.Fatalf("changes %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Restart != tt.restart || !slices.Equal(got[0].Why, tt.why) || got[0].Spec.ID != "zk" {
				t.Fatalf("changes %+v, want restart %v why %v", got, tt.restart, tt.why)
			}
		})
	}
}

func TestChangedEnv(t *testing.T) {
	tests := []struct {
		old, cur []string
		want     []string
	}{
		{[]string{"A=1", "B=2"}, []string{"B=2", "A=1"}, nil},
		{[]string{"A=1", "B=2"}, []string{"A=1", "B=3"}, []string{"B"}},
		{[]string{"A=1"}, []string{"A=1", "C="}, []string{"C"}},
		{[]string{"A=1", "D=x"}, []string{"A=1"}, []string{"D"}},
		{[]string{"SECRET=a"}, []string{"SECRET=b", "A=1"}, []string{"A", "SECRET"}},
		// Another archive (another JVM or jars) is a change.
		{[]string{"JDK_JAVA_OPTIONS=-XX:ArchiveClassesAtExit=/d/k.jsa"}, []string{"JDK_JAVA_OPTIONS=-XX:ArchiveClassesAtExit=/d/j.jsa"}, []string{"JDK_JAVA_OPTIONS"}},
		{[]string{"JDK_JAVA_OPTIONS=-Xss1m"}, []string{"JDK_JAVA_OPTIONS=-Xss2m"}, []string{"JDK_JAVA_OPTIONS"}},
	}
	for _, tt := range tests {
		if got := changedEnv(tt.old, tt.cur); !slices.Equal(got, tt.want) {
			t.Errorf("changedEnv(%v, %v) = %v, want %v", tt.old, tt.cur, got, tt.want)
		}
	}
}

func TestChangedFiles(t *testing.T) {
	old := map[string]string{"/a": "1", "/b": "2", "/gone": "3"}
	cur := map[string]string{"/a": "1", "/b": "9", "/new": "4"}
	if got, want := ChangedFiles(old, cur), []string{"/b", "/gone", "/new"}; !slices.Equal(got, want) {
		t.Errorf("ChangedFiles = %v, want %v", got, want)
	}
}

// A new keystore alone: a secured broker-only KRaft service reloads it in
// place; a combined node (its controller listener cannot reload) and a
// keystore changed together with another file restart.
func TestDiffKeystoreReload(t *testing.T) {
	sec := &plan.Security{TLS: &plan.TLS{CAFile: "/tls/ca.crt"}}
	for _, tt := range []struct {
		name      string
		mode      plan.KafkaMode
		alsoProps bool
		reload    bool
	}{
		{"broker", plan.KafkaKRaft, false, true},
		{"combined", plan.KafkaCombined, false, false},
		{"broker, properties too", plan.KafkaKRaft, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := plan.Service{ID: "kb", Argv: []string{"kafka"}, Probe: &plan.Probe{Kind: plan.ProbeKafka, Mode: tt.mode, Security: sec}}
			ks := &macros.File{Service: "kb", Dst: "/etc/kraft/keystore.pem", Template: macros.KeystoreName, Content: []byte("old"), Mode: 0o600}
			props := &macros.File{Service: "kb", Dst: "/etc/kraft/server.properties", Template: "kraft-server.properties", Content: []byte("a=1\n"), Mode: 0o600}
			svc := &macros.Service{Service: spec}
			last := FileDigests(&macros.Rendering{Services: []*macros.Service{svc}, Files: []*macros.File{ks, props}})
			ks2, props2 := *ks, *props
			ks2.Content = []byte("new")
			if tt.alsoProps {
				props2.Content = []byte("a=2\n")
			}
			got := Diff(Given{Specs: map[string]plan.Service{"kb": spec}, Files: last},
				&macros.Rendering{Services: []*macros.Service{svc}, Files: []*macros.File{&ks2, &props2}}, plan.Plan{Services: []plan.Service{spec}})
			if len(got) != 1 {
				t.Fatalf("changes %+v; want one", got)
			}
			if reloads := len(got[0].Keystores) == 1 && !got[0].Restart; reloads != tt.reload || got[0].Restart == tt.reload {
				t.Errorf("restart %v, keystores %v; want reload in place %v", got[0].Restart, got[0].Keystores, tt.reload)
			}
		})
	}
}
