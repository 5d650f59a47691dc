package supervisor_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

func oneShot(id string, args ...string) plan.Service {
	s := svc(id, args...)
	s.OneShot = true
	s.Restart.Policy = plan.PolicyNever
	s.Required = true
	return s
}

// A one-shot service runs once: what waits on it starts after it exits 0,
// it shows as done (and counts as ready), and a restart of its dependent
// does not run it again.
func TestOneShotGatesDependents(t *testing.T) {
	format := oneShot("format", "-exit-after", "300ms", "-code", "0")
	app := listening(t, svc("app"))
	app.Waits = localWaits("format")
	h := start(t, plan.Plan{Services: []plan.Service{format, app}})
	_, ready := h.rec.wait(t, 0, "app", supervisor.EventReady)
	events := h.rec.all()
	done, appStarted := index(events, "format", supervisor.EventDone, 1), index(events, "app", supervisor.EventStarted, 1)
	if done < 0 || appStarted < done {
		t.Fatalf("app started at event %d, format done at %d:\n%s", appStarted, done, h.rec.dump())
	}
	st := h.status("format")
	if st.State != supervisor.StateDone || !st.Ready || st.Pid != 0 {
		t.Fatalf("format after its run: %+v", st)
	}
	if !h.sup.Snapshot().AllReady() {
		t.Fatal("the node is not all ready with a done one-shot")
	}
	if err := h.sup.Restart(context.Background(), "app"); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, ready+1, "app", supervisor.EventReady)
	if n := countKind(h.rec.all(), "format", supervisor.EventStarted); n != 1 {
		t.Fatalf("format ran %d times", n)
	}
	// Asked to, it runs again.
	if err := h.sup.Restart(context.Background(), "format"); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, done+1, "format", supervisor.EventDone)
	if n := countKind(h.rec.all(), "format", supervisor.EventStarted); n != 2 {
		t.Fatalf("format ran %d times after its restart, want 2", n)
	}
}

// A required one-shot that fails fails the node; its dependent never starts.
func TestOneShotFailureFailsNode(t *testing.T) {
	format := oneShot("format", "-exit-after", "0s", "-code", "3")
	app := listening(t, svc("app"))
	app.Waits = localWaits("format")
	h := start(t, plan.Plan{Services: []plan.Service{format, app}})
	if code := h.exitCode(); code == 0 {
		t.Fatal("kinit exited 0 after its required one-shot failed")
	}
	if st := h.status("format"); st.State != supervisor.StateFailed {
		t.Fatalf("format: %+v", st)
	}
	if n := countKind(h.rec.all(), "app", supervisor.EventStarted); n != 0 {
		t.Fatalf("app started %d times", n)
	}
}

// A one-shot whose files all exist is done without running.
func TestOneShotCreatesExist(t *testing.T) {
	dir := t.TempDir()
	meta := filepath.Join(dir, "meta.properties")
	if err := os.WriteFile(meta, []byte("node.id=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	format := oneShot("format", "-exit-after", "0s", "-code", "3") // would fail if run
	format.Creates = []string{meta}
	missing := oneShot("other", "-exit-after", "0s", "-code", "0")
	missing.Creates = []string{meta, filepath.Join(dir, "absent")}
	h := start(t, plan.Plan{Services: []plan.Service{format, missing}})
	h.rec.wait(t, 0, "format", supervisor.EventDone)
	h.rec.wait(t, 0, "other", supervisor.EventDone)
	if n := countKind(h.rec.all(), "format", supervisor.EventStarted); n != 0 {
		t.Fatalf("format ran although %s exists", meta)
	}
	if st := h.status("format"); !strings.Contains(st.Message, "exists") {
		t.Errorf("format's message %q does not say why it did not run", st.Message)
	}
	if n := countKind(h.rec.all(), "other", supervisor.EventStarted); n != 1 {
		t.Fatalf("other ran %d times although one of its files is missing", n)
	}
}

func TestValidateOneShot(t *testing.T) {
	withProbe := oneShot("a")
	withProbe.Probe = tcpProbe("127.0.0.1:1")
	creates := svc("b")
	creates.Creates = []string{"/x"}
	relative := oneShot("c")
	relative.Creates = []string{"x"}
	for _, tt := range []struct {
		spec plan.Service
		want string
	}{
		{withProbe, "no ready probe"},
		{creates, "creates is for one-shot"},
		{relative, "not an absolute path"},
	} {
		_, err := supervisor.New(plan.Plan{Services: []plan.Service{tt.spec}}, supervisor.Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.spec.ID, err, tt.want)
		}
	}
}
