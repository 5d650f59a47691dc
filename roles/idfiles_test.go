package roles

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
)

// secret stands for what a root-only file holds: it must never appear in
// a problem, whatever the service planted to lead kinit to it.
const secret = "TOPSECRET-d41d8cd9"

// resolveSoon is Resolve that fails the test, rather than hang it, when a
// read blocks (a FIFO): that is the fault under test.
func resolveSoon(t *testing.T, cfg *Config, env Env) (n *Node, err error) {
	t.Helper()
	testkit.Soon(t, "Resolve", func() { n, err = Resolve(cfg, env) })
	return n, err
}

// Files kinit reads in a service's data dir (the persisted ids, myid,
// meta.properties) that the service user replaced with a FIFO, a link or
// something huge are configuration problems naming the file and what it
// is, found at once; what the file holds is never shown unless it is the
// value expected there.
func TestIDFilesPlanted(t *testing.T) {
	cfg := loadShipped(t)
	victim := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(victim, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := func(path string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target string) func(string) {
		return func(path string) {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}
	}
	content := func(s string) func(string) {
		return func(path string) { write(t, path, s) }
	}
	standalone := Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1"}
	withID := Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1", "KINIT_NODE_ID": "3"}
	kraft := Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "k"}
	tests := []struct {
		name  string
		env   Env
		file  string // relative to KINIT_DATA_DIR
		plant func(path string)
		want  string // after the file's path
	}{
		{"node id FIFO", standalone, "kafka/kinit-node-id", fifo, ": cannot read persisted node id: not a regular file (FIFO)"},
		{"node id link to a secret", standalone, "kafka/kinit-node-id", link(victim), ": cannot read persisted node id: not a regular file (symlink)"},
		{"node id link to /dev/zero", standalone, "kafka/kinit-node-id", link("/dev/zero"), ": cannot read persisted node id: not a regular file (symlink)"},
		{"node id oversize", standalone, "kafka/kinit-node-id", content(strings.Repeat("1", MaxIDFileSize+1)), ": cannot read persisted node id: larger than 64 KiB"},
		{"node id not a number", standalone, "kafka/kinit-node-id", content(secret + "\n"), ":1: holds 19 bytes that are not a node id"},
		{"myid FIFO", withID, "zookeeper/data/myid", fifo, ": cannot read: not a regular file (FIFO)"},
		{"myid link to a secret", withID, "zookeeper/data/myid", link(victim), ": cannot read: not a regular file (symlink)"},
		{"myid not a number", withID, "zookeeper/data/myid", content(secret), ":1: holds 18 bytes that are not a node id"},
		{"meta.properties FIFO", withID, "kafka/data/meta.properties", fifo, ": cannot read: not a regular file (FIFO)"},
		{"meta.properties link to /dev/zero", withID, "kafka/data/meta.properties", link("/dev/zero"), ": cannot read: not a regular file (symlink)"},
		{"meta.properties broker.id not a number", withID, "kafka/data/meta.properties", content("broker.id=" + secret + "\n"),
			":1: broker.id holds 18 bytes that are not a node id"},
		{"meta.properties oversize", withID, "kafka/data/meta.properties", content("broker.id=3\n#" + strings.Repeat("x", MaxIDFileSize)),
			": cannot read: larger than 64 KiB"},
		{"cluster id FIFO", kraft, "kraft/" + ClusterIDFile, fifo, ": cannot read: not a regular file (FIFO)"},
		{"cluster id not one", kraft, "kraft/" + ClusterIDFile, content(secret + "\n"), ":1: holds 18 bytes that are not a cluster id"},
		{"meta.properties cluster.id not one", kraft, "kraft/data/meta.properties", content("node.id=1\ncluster.id=" + secret + "\n"),
			":2: holds 18 bytes that are not a cluster id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			tt.plant(path)
			env := Env{"KINIT_DATA_DIR": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := resolveSoon(t, cfg, env)
			if err == nil || !strings.Contains(err.Error(), path+tt.want) {
				t.Fatalf("want %q, got %v", path+tt.want, err)
			}
			if !IsConfigError(err) {
				t.Errorf("not a config error (exit 78): %v", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the problem shows what the file holds: %v", err)
			}
		})
	}
}

// A data dir the service swapped for a link, in a directory others may
// write, is not followed to the id file behind it.
func TestIDFileBehindPlantedDirLink(t *testing.T) {
	cfg := loadShipped(t)
	base := t.TempDir()
	data := filepath.Join(base, "data")
	elsewhere := filepath.Join(base, "elsewhere")
	write(t, filepath.Join(elsewhere, "kinit-node-id"), "7\n")
	mkdir(t, data)
	if err := os.Chmod(data, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(data, "kafka")); err != nil {
		t.Fatal(err)
	}
	_, err := resolveSoon(t, cfg, Env{"KINIT_CONFIG_ID": "standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1", "KINIT_DATA_DIR": data})
	want := filepath.Join(data, "kafka") + ": symlink in a directory not owned by root: not followed"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}
