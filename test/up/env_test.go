package up

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Each service sees its own prefix's variables, the ones it passes and the
// common allowlist, read back from /proc of the running processes: a's
// password does not reach b, b's token does not reach a, and a variable
// nobody asked for reaches nobody. Before, every service received the
// whole container environment.
func TestServiceEnvironment(t *testing.T) {
	n := newNode(t, "env/kinit.toml").withPorts("a", "b")
	for k, v := range map[string]string{"A_PASSWORD": "pa", "B_TOKEN": "tb", "SHARED_X": "1", "UNRELATED": "zz", "TZ": "UTC"} {
		n.env[k] = v
	}
	r := n.start(asChild)
	st := n.waitStatus("a and b ready", allReady("a", "b"))
	want := map[string]struct{ has, hasNot []string }{
		"a": {[]string{"A_PASSWORD=pa", "TZ=UTC", "PATH="}, []string{"B_TOKEN", "SHARED_X", "UNRELATED", "B_SET_BY_CONFIG"}},
		"b": {[]string{"B_TOKEN=tb", "SHARED_X=1", "B_SET_BY_CONFIG=yes", "TZ=UTC"}, []string{"A_PASSWORD", "UNRELATED"}},
	}
	for id, w := range want {
		env := environOf(t, svc(st, id).Pid)
		for _, kv := range w.has {
			if !hasEntry(env, kv) {
				t.Errorf("%s lacks %s: %v", id, kv, env)
			}
		}
		for _, k := range w.hasNot {
			if hasEntry(env, k+"=") {
				t.Errorf("%s received %s", id, k)
			}
		}
	}
	r.signal(unix.SIGTERM)
	r.wait()
}

func environOf(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// hasEntry: an entry equal to kv, or starting with it when kv ends in '='.
func hasEntry(env []string, kv string) bool {
	for _, e := range env {
		if e == kv || strings.HasSuffix(kv, "=") && strings.HasPrefix(e, kv) {
			return true
		}
	}
	return false
}
