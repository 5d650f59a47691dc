package up

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A service running as kinit's own uid (the image's arrangement) cannot
// read PID 1's environment, where the node's secrets are, nor list its
// descriptors, nor attach to it with ptrace: kinit makes itself
// non-dumpable before anything else, so /proc/1's private files are
// root's. Before, all three worked and every KAFKA_*_PASSWORD and
// KINIT_ES_PASSWORD was one `cat /proc/1/environ` away.
func TestServiceCannotReadKinitThroughProc(t *testing.T) {
	n := newNode(t, "procsecrets/kinit.toml").asImageUser()
	secret := "s3cret-" + n.marker
	n.env["KINIT_ES_PASSWORD"] = secret
	n.env["KINIT_OUT_DIR"] = n.dir
	r := n.start(asPID1)
	done := filepath.Join(n.dir, "done")
	waitUntil(t, "the service's probes", func() bool {
		_, err := os.Stat(done)
		return err == nil || r.exited()
	})
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(n.dir, name))
		return strings.TrimSpace(string(b))
	}
	if uid := read("uid"); uid != "1000" {
		t.Fatalf("the service ran as uid %q, want 1000 (kinit's)", uid)
	}
	if env := read("environ"); strings.Contains(env, secret) || read("environ.rc") == "0" {
		t.Errorf("the service read /proc/1/environ (exit %s), secret included: %v", read("environ.rc"), strings.Contains(env, secret))
	}
	if !strings.Contains(read("environ.err"), "Permission denied") {
		t.Errorf("reading /proc/1/environ: %q, want Permission denied", read("environ.err"))
	}
	if read("fd.rc") == "0" {
		t.Errorf("the service listed /proc/1/fd: %q", read("fd"))
	}
	if got := read("ptrace"); got != "-1 1" { // EPERM
		t.Errorf("PTRACE_SEIZE of PID 1 from the service gave %q, want -1 1 (EPERM)", got)
	}
	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exited %d, want 0", code)
	}
}
