package browser

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
)

// proc is a process the test started, in a process group of its own,
// with its output in a file shown when the test fails.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done <-chan struct{}
}

// start runs argv with env; when the test ends it is asked to stop
// (SIGTERM, so kinit stops its services) and its group killed after grace.
func start(t *testing.T, name string, env []string, grace time.Duration, argv ...string) *proc {
	t.Helper()
	cmd, log, done := testkit.StartGroup(t, name, env, grace, argv...)
	return &proc{name: name, cmd: cmd, log: log, done: done}
}

func (p *proc) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitFor polls cond until it holds, failing when p exits first or the
// deadline passes; what names the awaited state.
func waitFor(t *testing.T, p *proc, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(limit)
	for !cond() {
		if p != nil && p.exited() {
			t.Fatalf("%s exited (%v) before %s", p.name, p.cmd.ProcessState, what)
		}
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// envWith is the test's environment with extra on top (later wins).
func envWith(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KINIT_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}
