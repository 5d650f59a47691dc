package reload

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	esstandin "github.com/kinit/kinit/standins/elasticsearch"
)

// An edited template re-renders its file atomically and restarts only the
// service that renders it; the others keep their process. The
// config-reloaded event reaches Elasticsearch (the stand-in) with the file.
func TestTemplateEditRestartsItsService(t *testing.T) {
	es, err := esstandin.Start(esstandin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(es.Close)
	n := layout(t)
	n.env = []string{"KINIT_ES_URLS=" + es.URL(), "KINIT_METRICS_INTERVAL=200ms"}
	n.start(filepath.Join(n.dir, "kinit.toml"))
	before := n.status()
	aConf, cConf := filepath.Join(n.etc, "a.conf"), filepath.Join(n.etc, "c.conf")
	aIno, cIno := inode(t, aConf), inode(t, cConf)

	from := n.mark()
	// An in-place write, as `echo >>` or a careless editor does it.
	f, err := os.OpenFile(filepath.Join(n.tmpl, "a.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("mode=@@SERVICE_ID@@-v2\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m, _ := n.waitLog(from, "config reloaded")
	if m["msg"] != "config reloaded: restarting a" || m["files"] != aConf {
		t.Errorf("reload record %v", m)
	}
	n.waitLog(from, `service "a" is ready again after the config change`)

	after := n.status()
	if after["a"].pid == before["a"].pid || after["a"].restarts != 1 {
		t.Errorf("a was not restarted: before %+v after %+v", before["a"], after["a"])
	}
	for _, id := range []string{"b", "c"} {
		if after[id] != before[id] {
			t.Errorf("%s was touched: before %+v after %+v", id, before[id], after[id])
		}
	}
	b, err := os.ReadFile(aConf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), "mode=a-v2\n") {
		t.Errorf("a.conf is %q", b)
	}
	if inode(t, aConf) == aIno {
		t.Error("a.conf was rewritten in place, not replaced atomically")
	}
	if inode(t, cConf) != cIno {
		t.Error("c.conf was rewritten although it did not change")
	}
	entries, _ := os.ReadDir(n.etc)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"a.conf", "c.conf"}) {
		t.Errorf("rendered dir holds %v (temp files left?)", names)
	}

	var doc map[string]any
	testkit.Eventually(t, "a config-reloaded event in Elasticsearch", func() bool {
		for _, d := range es.Docs() {
			if ev, _ := d.Source["event"].(map[string]any); ev["action"] == "config-reloaded" {
				doc = d.Source
				return true
			}
		}
		return false
	})
	ev := doc["event"].(map[string]any)
	ke, _ := doc["kinit"].(map[string]any)["event"].(map[string]any)
	if files, _ := ke["files"].([]any); ev["reason"] != "restarting a" || len(files) != 1 || files[0] != aConf {
		t.Errorf("config-reloaded document %v", doc)
	}
}

// A template directory replaced as a whole (a new directory renamed over
// it) is seen, and so is a later edit inside the new directory.
func TestTemplateDirReplaced(t *testing.T) {
	n := layout(t)
	n.start(filepath.Join(n.dir, "kinit.toml"))
	next := filepath.Join(n.dir, "templates.next")
	copyTree(t, n.tmpl, next)
	replace(t, filepath.Join(next, "c.conf"), func(s string) string { return s + "v=2\n" })
	from := n.mark()
	must(t, os.RemoveAll(n.tmpl))
	must(t, os.Rename(next, n.tmpl))
	m, i := n.waitLog(from, "config reloaded")
	if m["msg"] != "config reloaded: restarting c" {
		t.Errorf("reload record %v", m)
	}
	_, i = n.waitLog(i, `service "c" is ready again`)
	replace(t, filepath.Join(n.tmpl, "a.conf"), func(s string) string { return s + "v=3\n" })
	m, _ = n.waitLog(i, "config reloaded")
	if m["msg"] != "config reloaded: restarting a" {
		t.Errorf("reload record %v", m)
	}
	n.waitLog(i, `service "a" is ready again`)
}

// A changed environment in kinit.toml (saved the way editors save: a new
// file renamed over the old one) restarts that service with it.
func TestEnvEditRestartsWithNewEnv(t *testing.T) {
	n := layout(t)
	cfg := filepath.Join(n.dir, "kinit.toml")
	n.start(cfg)
	before := n.status()
	from := n.mark()
	replace(t, cfg, sub(t, `MODE = "b1"`, `MODE = "b2"`))
	m, _ := n.waitLog(from, `restarting service "b" after the config change`)
	if msg := m["msg"].(string); !strings.Contains(msg, "environment (MODE)") || strings.Contains(msg, "b2") {
		t.Errorf("restart reason %q: want the variable named, its value not shown", msg)
	}
	n.waitLog(from, `service "b" is ready again`)
	after := n.status()
	if after["b"].pid == before["b"].pid {
		t.Fatal("b kept its process")
	}
	if env := environ(t, after["b"].pid); !slices.Contains(env, "MODE=b2") {
		t.Errorf("b runs with %v", env)
	}
	for _, id := range []string{"a", "c"} {
		if after[id] != before[id] {
			t.Errorf("%s was touched: before %+v after %+v", id, before[id], after[id])
		}
	}
}

// An invalid edit is logged with its file:line and changes nothing, even
// a template edited along with it; fixing the config applies both.
func TestInvalidEditIgnoredThenFixed(t *testing.T) {
	n := layout(t)
	cfg := filepath.Join(n.dir, "kinit.toml")
	n.start(cfg)
	before := n.status()
	aConf := filepath.Join(n.etc, "a.conf")
	aIno := inode(t, aConf)
	aOld, _ := os.ReadFile(aConf)

	from := n.mark()
	replace(t, cfg, sub(t, "[services.a]\n", "[services.a]\nbogus = 1\n"))
	badLine := lineOf(t, cfg, "bogus = 1")
	replace(t, filepath.Join(n.tmpl, "a.conf"), func(s string) string { return s + "mode=v2\n" })
	m, _ := n.waitLog(from, "unknown key")
	want := cfg + ":" + badLine + `: unknown key "services.a.bogus"`
	if msg := m["msg"].(string); !strings.Contains(msg, want) || m["level"] != "ERROR" {
		t.Errorf("problem logged as %v, want %q", m, want)
	}
	_, ignored := n.waitLog(from, "config change ignored (1 problem)")
	if i := n.logIndex(from, "config reloaded"); i >= 0 {
		t.Fatalf("an invalid change was applied\n%s", n.dump())
	}
	if after := n.status(); !mapsEqual(before, after) {
		t.Errorf("services touched: before %v after %v", before, after)
	}
	if now, _ := os.ReadFile(aConf); string(now) != string(aOld) || inode(t, aConf) != aIno {
		t.Errorf("a.conf was written: %q", now)
	}

	replace(t, cfg, sub(t, "bogus = 1\n", ""))
	m, _ = n.waitLog(ignored, "config reloaded")
	if m["msg"] != "config reloaded: restarting a" {
		t.Errorf("reload record %v", m)
	}
	n.waitLog(ignored, `service "a" is ready again`)
	if now, _ := os.ReadFile(aConf); !strings.HasSuffix(string(now), "mode=v2\n") {
		t.Errorf("a.conf after the fix: %q", now)
	}
}

// Changes to what runs and in which order are not applied at run time:
// adding a service, or changing a wait. Each is logged and ignored.
func TestStructuralChangesIgnored(t *testing.T) {
	n := layout(t)
	cfg := filepath.Join(n.dir, "kinit.toml")
	orig, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.start(cfg)
	before := n.status()
	tests := []struct {
		name, old, new, want string
	}{
		{"service added", `node = ["c", "b", "a"]`, `node = ["c", "b", "a", "d"]` + "\n[services.d]\ncommand = [\"/bin/true\"]",
			"adding or removing services needs a restart of the container"},
		{"wait changed", `wait = ["b"]`, `wait = ["a"]`, `cannot change the waits of service "c" at run time ([b] -> [a])`},
	}
	for _, tt := range tests {
		from := n.mark()
		replace(t, cfg, func(string) string { return sub(t, tt.old, tt.new)(string(orig)) })
		m, _ := n.waitLog(from, tt.want)
		if m["level"] != "ERROR" {
			t.Errorf("%s: logged as %v", tt.name, m)
		}
		n.waitLog(from, "config change ignored (1 problem)")
		if i := n.logIndex(from, "config reloaded"); i >= 0 {
			t.Fatalf("%s: applied\n%s", tt.name, n.dump())
		}
	}
	if after := n.status(); !mapsEqual(before, after) {
		t.Errorf("services touched: before %v after %v", before, after)
	}
}

// The nodes file is watched too; a change that would give this node
// another id is refused: the identity of a running node never changes.
func TestNodesFileIdentityChangeRefused(t *testing.T) {
	n := layout(t)
	cfg := filepath.Join(n.dir, "kinit.toml")
	replace(t, cfg, sub(t, `cardinality = "1"`, `cardinality = "1+"`))
	nodes := filepath.Join(t.TempDir(), "nodes")
	must(t, os.WriteFile(nodes, []byte("node=1@other.test,2@node-1.test\n"), 0o644))
	n.env = []string{"KINIT_NODE_ID=", "KINIT_NODES_FILE=" + nodes}
	n.start(cfg)
	before := n.status()
	from := n.mark()
	replace(t, nodes, sub(t, "1@other.test,2@node-1.test", "2@other.test,1@node-1.test"))
	m, _ := n.waitLog(from, "config change ignored: the node would become node 1")
	if msg := m["msg"].(string); !strings.Contains(msg, "instead of node 2") || m["level"] != "ERROR" {
		t.Errorf("logged as %v", m)
	}
	n.waitLog(from, "config change ignored (1 problem)")
	if after := n.status(); !mapsEqual(before, after) {
		t.Errorf("services touched: before %v after %v", before, after)
	}
}

// Two services changed in one edit restart one at a time, in dependency
// order (a before c, although the role lists c first): c is stopped only
// once a is ready again. b, between them, is left alone.
func TestTwoServicesRestartInDependencyOrder(t *testing.T) {
	n := layout(t)
	cfg := filepath.Join(n.dir, "kinit.toml")
	n.start(cfg)
	before := n.status()
	from := n.mark()
	replace(t, cfg, func(s string) string {
		return sub(t, `MODE = "c1"`, `MODE = "c2"`)(sub(t, `MODE = "a1"`, `MODE = "a2"`)(s))
	})
	m, _ := n.waitLog(from, "config reloaded")
	if m["msg"] != "config reloaded: restarting a, c" {
		t.Errorf("reload record %v", m)
	}
	_, cReady := n.waitLog(from, `service "c" is ready again`)
	seq := []string{
		`restarting service "a"`, `stopping service "a"`, `service "a" ready`, `service "a" is ready again`,
		`restarting service "c"`, `stopping service "c"`, `service "c" ready`,
	}
	at := from
	for _, s := range seq {
		i := n.logIndex(at, s)
		if i < 0 || i > cReady {
			t.Fatalf("%q not in order after #%d\n%s", s, at, n.dump())
		}
		at = i
	}
	after := n.status()
	if after["b"] != before["b"] {
		t.Errorf("b was touched: before %+v after %+v", before["b"], after["b"])
	}
	for id, want := range map[string]string{"a": "MODE=a2", "c": "MODE=c2"} {
		if env := environ(t, after[id].pid); !slices.Contains(env, want) {
			t.Errorf("%s runs with %v", id, env)
		}
	}
}

// A ConfigMap volume: kinit.toml is a symlink to ..data/kinit.toml, and an
// update swaps the ..data symlink to a new directory.
func TestConfigMapSwap(t *testing.T) {
	n := layout(t)
	n.tmpl = filepath.Join(t.TempDir(), "templates")
	copyTree(t, "testdata/templates", n.tmpl)
	cm := filepath.Join(t.TempDir(), "configmap")
	v1 := filepath.Join(cm, "..2024_01_01_00_00_00.1")
	copyTree(t, "testdata", v1)
	must(t, os.RemoveAll(filepath.Join(v1, "templates")))
	must(t, os.Symlink(filepath.Base(v1), filepath.Join(cm, "..data")))
	must(t, os.Symlink("..data/kinit.toml", filepath.Join(cm, "kinit.toml")))
	n.start(filepath.Join(cm, "kinit.toml"))
	before := n.status()

	from := n.mark()
	v2 := filepath.Join(cm, "..2024_01_01_00_01_00.2")
	copyTree(t, v1, v2)
	replace(t, filepath.Join(v2, "kinit.toml"), sub(t, `MODE = "a1"`, `MODE = "a2"`))
	must(t, os.Symlink(filepath.Base(v2), filepath.Join(cm, "..data_tmp")))
	must(t, os.Rename(filepath.Join(cm, "..data_tmp"), filepath.Join(cm, "..data")))
	must(t, os.RemoveAll(v1))

	n.waitLog(from, `service "a" is ready again`)
	after := n.status()
	if env := environ(t, after["a"].pid); !slices.Contains(env, "MODE=a2") {
		t.Errorf("a runs with %v", env)
	}
	for _, id := range []string{"b", "c"} {
		if after[id] != before[id] {
			t.Errorf("%s was touched: before %+v after %+v", id, before[id], after[id])
		}
	}
}

// SIGHUP sent to kinit reaches b, the only service with it in
// forward_signals; kinit keeps running and stops cleanly (checked by
// the cleanup).
func TestSIGHUPForwardedToOptedIn(t *testing.T) {
	n := layout(t)
	n.start(filepath.Join(n.dir, "kinit.toml"))
	from := n.mark()
	must(t, n.cmd.Process.Signal(syscall.SIGHUP))
	m, _ := n.waitLog(from, "received SIGHUP")
	if m["services"] != "b" {
		t.Fatalf("SIGHUP forwarded to %v, want b\n%s", m["services"], n.dump())
	}
	testkit.Eventually(t, "b recorded SIGHUP", func() bool { return slices.Contains(testkit.RecordedSignals(t, n.rec, "b"), "SIGHUP") })
	n.stop()
	for _, id := range []string{"a", "c"} {
		if got := testkit.RecordedSignals(t, n.rec, id); !slices.Equal(got, []string{"SIGTERM"}) {
			t.Errorf("%s recorded %v, want its stop signal only", id, got)
		}
	}
}

func lineOf(t *testing.T, file, s string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("%q not in %s", s, file)
	return ""
}

func mapsEqual(a, b map[string]proc) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
