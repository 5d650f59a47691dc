package up

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// secretText stands for what a root-only file holds.
const secretText = "TOPSECRET-7f3a9c"

// TestPlantedIDFile is issue 21's point 3 through the real binary, as
// PID 1: the service's data dir holds, where the persisted node id goes,
// a FIFO (before: kinit blocked in the open for ever, before its first
// log line), a link to a root-only file (before: its content was printed
// in the error) or a link to /dev/zero (before: memory ran out). Each is
// now exit 78 naming the file and what it is, with nothing started and
// nothing of the target shown. r.wait's deadline only keeps a hang from
// stalling the suite; no duration is asserted.
func TestPlantedIDFile(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(secret, []byte(secretText+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		plant func(path string) error
		want  string
	}{
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "not a regular file (FIFO)"},
		{"link to a secret", func(p string) error { return os.Symlink(secret, p) }, "not a regular file (symlink)"},
		{"link to dev zero", func(p string) error { return os.Symlink("/dev/zero", p) }, "not a regular file (symlink)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, "inputs/kinit.toml").withPorts("a")
			delete(n.env, "KINIT_NODE_ID")
			data := filepath.Join(n.dir, "data")
			if err := os.Mkdir(data, 0o755); err != nil {
				t.Fatal(err)
			}
			idFile := filepath.Join(data, "kinit-node-id")
			if err := tt.plant(idFile); err != nil {
				t.Fatal(err)
			}
			n.env["KINIT_DATA_DIR"] = data
			before := prepareEtc(t, n)
			r := n.start(asPID1)
			if code := r.wait(); code != 78 {
				t.Errorf("exit %d, want 78", code)
			}
			want := idFile + ": cannot read persisted node id: " + tt.want
			if !strings.Contains(r.stderr.text(), want) {
				t.Errorf("want %q in stderr:\n%s", want, r.stderr.text())
			}
			if out := r.stdout.text() + r.stderr.text(); strings.Contains(out, secretText) {
				t.Errorf("the secret file's content was printed:\n%s", out)
			}
			expectNothingHappened(t, n, before)
		})
	}
}

// TestOperatorInputsExit78 is point 4: KINIT_CONFIG or KINIT_NODES_FILE
// naming /dev/zero (before: Go ran out of memory, exit 2) or a FIFO
// (before: a hang) makes `kinit check` and `kinit up` exit 78 naming the
// variable, starting and writing nothing.
func TestOperatorInputsExit78(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env, value, want string
	}{
		{"config dev zero", "KINIT_CONFIG", "/dev/zero", "KINIT_CONFIG=/dev/zero: cannot read config: not a regular file (character device)"},
		{"config fifo", "KINIT_CONFIG", fifo, "KINIT_CONFIG=" + fifo + ": cannot read config: not a regular file (FIFO)"},
		{"nodes file dev zero", "KINIT_NODES_FILE", "/dev/zero", "KINIT_NODES_FILE=/dev/zero: cannot read nodes file: not a regular file (character device)"},
		{"nodes file fifo", "KINIT_NODES_FILE", fifo, "KINIT_NODES_FILE=" + fifo + ": cannot read nodes file: not a regular file (FIFO)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
			n.env[tt.env] = tt.value
			before := prepareEtc(t, n)
			if res := n.cli("check"); res.code != 78 || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("kinit check: exit %d, stderr %q; want 78 and %q", res.code, res.stderr, tt.want)
			}
			r := n.start(asPID1)
			if code := r.wait(); code != 78 || !strings.Contains(r.stderr.text(), tt.want) {
				t.Errorf("kinit up: exit %d, stderr %q; want 78 and %q", code, r.stderr.text(), tt.want)
			}
			expectNothingHappened(t, n, before)
		})
	}
}

// TestNodeIDOutOfRangeExit78 is point 6: a node id Kafka would refuse
// (broker.id is a Java int) is refused by `kinit check`, naming its
// source, as KAFKA_BROKER_ID with the same value already was.
func TestNodeIDOutOfRangeExit78(t *testing.T) {
	t.Parallel()
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	n.env["KINIT_NODE_ID"] = "9223372036854775807"
	want := `KINIT_NODE_ID: "9223372036854775807" is not a node id (a number 0..2147483647)`
	if res := n.cli("check", "--no-files"); res.code != 78 || !strings.Contains(res.stderr, want) {
		t.Errorf("kinit check: exit %d, stderr %q; want 78 and %q", res.code, res.stderr, want)
	}
}
