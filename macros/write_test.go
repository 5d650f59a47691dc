package macros_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
)

// A service's data dir swapped for a symlink (the service user owns the
// directory above it, a volume) must not make `kinit up` chown the link's
// target or write the node's files there: Write refuses and names the
// link. Before, root followed it.
func TestWriteRefusesPlantedSymlink(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test chowns: run it as root (make test does)")
	}
	base := t.TempDir()
	_ = os.Chmod(base, 0o755)
	volume, victim := filepath.Join(base, "volume"), filepath.Join(base, "etc")
	for _, d := range []string{volume, victim} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(volume, 12345, 12345); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(volume, "data")
	if err := os.Symlink(victim, data); err != nil {
		t.Fatal(err)
	}
	p := &macros.Rendering{
		Services: []*macros.Service{{Service: plan.Service{ID: "zookeeper"}, DataDir: data, User: "12345", Group: "12345"}},
		Files: []*macros.File{{Service: "zookeeper", Dst: filepath.Join(data, "myid"), Content: []byte("1\n"),
			Mode: 0o644, Owner: "12345", Group: "12345"}},
	}
	_, err := p.Write(macros.WriteOptions{Chown: true, MakeDirs: true})
	if err == nil || !strings.Contains(err.Error(), data) {
		t.Fatalf("Write through a planted data dir link: %v, want an error naming %s", err, data)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(victim, &st); err != nil || st.Uid != 0 {
		t.Errorf("the link's target was chowned to %d (%v)", st.Uid, err)
	}
	if ls, _ := os.ReadDir(victim); len(ls) != 0 {
		t.Errorf("files written into the link's target: %v", ls)
	}
}
