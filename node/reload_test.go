package node

import (
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/kinit/kinit/internal/tlsdir"
)

// The reloader watches directories, not files: the config's (and, for a
// plain symlink, its target's), the nodes file's, and every template
// directory; and it tells the events that matter from those that do not.
func TestReloaderWatchSet(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"etc", "real", "nodes", "tpl/sub"} {
		must(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	cfg := `
[vars]
out = "/nonexistent"
template_dir = "@@CONFIG_DIR@@/../tpl"
[roles.node]
[services.app]
command = ["/bin/app"]
[[services.app.templates]]
src = "sub/app.conf"
dst = "@@OUT@@/app.conf"
[[services.app.templates]]
src = "top.conf"
dst = "@@OUT@@/top.conf"
[configs.default.roles]
node = ["app"]
`
	write(t, filepath.Join(root, "real/kinit.toml"), cfg)
	must(t, os.Symlink("../real/kinit.toml", filepath.Join(root, "etc/kinit.toml")))
	write(t, filepath.Join(root, "tpl/sub/app.conf"), "x=1\n")
	write(t, filepath.Join(root, "tpl/top.conf"), "y=1\n")
	write(t, filepath.Join(root, "nodes/members"), "node=node-1.test\n")
	for _, k := range []string{"KINIT_ROLE", "KINIT_NODES", "KINIT_NODE_ID", "KINIT_CONFIG_ID", "KINIT_TEMPLATE_DIR", "KINIT_OUT"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)  // a set but empty var would override the config's
	}
	t.Setenv("KINIT_FQDN", "node-1.test")
	t.Setenv("KINIT_NODES_FILE", filepath.Join(root, "nodes/members"))
	np, err := Load(filepath.Join(root, "etc/kinit.toml"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r := &reloader{log: slog.New(slog.DiscardHandler), w: w, dirs: map[string]*watchDir{}, noDir: map[string]bool{}, seen: map[string]bool{}}
	r.remember(np)
	r.rewatch(np)

	p := func(rel string) string { return filepath.Join(root, rel) }
	got := map[string]string{}
	for dir, d := range r.dirs {
		var names []string
		for n := range d.names {
			names = append(names, n)
		}
		sort.Strings(names)
		got[dir] = strings.Join(names, ",")
		if d.any {
			got[dir] = "*"
		}
	}
	want := map[string]string{
		p("etc"): "kinit.toml", p("real"): "kinit.toml", p("nodes"): "members",
		p("tpl"): "*", p("tpl/sub"): "*",
		// the template dir's parent, for the dir replaced as a whole
		root: "tpl",
	}
	if len(got) != len(want) {
		t.Errorf("watched %v, want %v", got, want)
	}
	for dir, names := range want {
		if got[dir] != names {
			t.Errorf("dir %s: names %q, want %q (all: %v)", dir, got[dir], names, got)
		}
	}
	if wl := w.WatchList(); len(wl) != len(want) {
		t.Errorf("fsnotify watches %v", wl)
	}

	r.dsts[p("tpl/rendered.conf")] = true
	tests := []struct {
		name string
		op   fsnotify.Op
		want bool
	}{
		{"etc/kinit.toml", fsnotify.Write, true},
		{"etc/kinit.toml", fsnotify.Create, true},
		{"etc/kinit.toml", fsnotify.Rename, true},
		{"etc/kinit.toml", fsnotify.Chmod, false},
		{"etc/..data", fsnotify.Create, true},
		{"etc/kinit.toml.swp", fsnotify.Write, false},
		{"real/kinit.toml", fsnotify.Write, true},
		{"real/other.toml", fsnotify.Write, false},
		{"nodes/members", fsnotify.Write | fsnotify.Chmod, true},
		{"tpl/sub/new.conf", fsnotify.Create, true},
		{"tpl/top.conf", fsnotify.Remove, true},
		{"tpl/.top.conf.kinit-1234", fsnotify.Create, false},
		{"tpl/rendered.conf", fsnotify.Write, false},
		{"elsewhere/kinit.toml", fsnotify.Write, false},
		{"tpl", fsnotify.Create, true},
		{"etc", fsnotify.Remove, false},
	}
	for _, tt := range tests {
		if got := r.relevant(fsnotify.Event{Name: p(tt.name), Op: tt.op}); got != tt.want {
			t.Errorf("%s %s: relevant %v, want %v", tt.op, tt.name, got, tt.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	must(t, os.WriteFile(p, []byte(s), 0o644))
}

// On a secured node the reloader watches the TLS dir's three files, and
// not the directory that holds the TLS dir: the keystores rendered from
// it are no templates, and a write beside it (a log) is no change.
func TestReloaderWatchesTLSDirOnly(t *testing.T) {
	state := t.TempDir()
	tls := filepath.Join(state, "tls")
	if err := tlsdir.NewCA(tls, "test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsdir.Issue(tls, tlsdir.Identity{CommonName: "s-1.test", Hosts: []string{"s-1.test"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(state, "admin.password"), "pw-1\n")
	for k, v := range map[string]string{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_FQDN": "s-1.test", "KINIT_DATA_DIR": filepath.Join(state, "data"),
		"KINIT_ETC_DIR": filepath.Join(state, "etc"), "KINIT_SECURITY": "sasl_ssl", "KINIT_TLS_DIR": tls,
		"KINIT_ADMIN_PASSWORD_FILE": filepath.Join(state, "admin.password"), "KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg"} {
		t.Setenv(k, v)
	}
	np, err := Load("../rootfs/etc/kinit/kinit.toml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r := &reloader{log: slog.New(slog.DiscardHandler), w: w, dirs: map[string]*watchDir{}, noDir: map[string]bool{}, seen: map[string]bool{}}
	r.remember(np)
	r.rewatch(np)
	if d := r.dirs[tls]; d == nil || !d.names["tls.crt"] || !d.names["tls.key"] || !d.names["ca.crt"] || d.any {
		t.Errorf("TLS dir watch %+v; want its three files", d)
	}
	if d := r.dirs[state]; d != nil {
		t.Errorf("the TLS dir's parent is watched: %+v", d)
	}
	for name, want := range map[string]bool{filepath.Join(tls, "tls.crt"): true, filepath.Join(state, "kinit.log"): false} {
		if got := r.relevant(fsnotify.Event{Name: name, Op: fsnotify.Write}); got != want {
			t.Errorf("a write to %s relevant: %v, want %v", name, got, want)
		}
	}
}
