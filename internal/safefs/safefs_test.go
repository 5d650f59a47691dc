package safefs_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kinit/kinit/internal/safefs"
)

const serviceUID = 12345 // the service user of these tests, not kinit's

// layout is a trusted base (root-owned 0755, like /var/lib) holding a
// directory owned by the service user (its data dir) and a victim that
// the service must not get root to touch.
func layout(t *testing.T) (base, owned, victim string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("these tests chown: run them as root (make test does)")
	}
	base = t.TempDir()
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	owned = filepath.Join(base, "owned")
	victim = filepath.Join(base, "victim")
	for _, d := range []string{owned, victim} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(owned, serviceUID, serviceUID); err != nil {
		t.Fatal(err)
	}
	return base, owned, victim
}

func ownerOf(t *testing.T, path string) uint32 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Uid
}

// A data dir the service swapped for a symlink to elsewhere is neither
// written into nor chowned through.
func TestSymlinkInServiceDirNotFollowed(t *testing.T) {
	_, owned, victim := layout(t)
	link := filepath.Join(owned, "data")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := safefs.MakeDir(link, serviceUID, serviceUID); !errors.Is(err, safefs.ErrSymlink) {
		t.Fatalf("MakeDir through a planted link: %v, want ErrSymlink", err)
	}
	if _, err := safefs.WriteFile(filepath.Join(link, "kinit-node-id"), []byte("1\n"), 0o644, -1, -1); !errors.Is(err, safefs.ErrSymlink) {
		t.Fatalf("WriteFile through a planted link: %v, want ErrSymlink", err)
	}
	if ownerOf(t, victim) != 0 {
		t.Error("the victim was chowned")
	}
	if ls, _ := os.ReadDir(victim); len(ls) != 0 {
		t.Errorf("files were written into the victim: %v", ls)
	}
}

// A file the service replaced with a symlink is replaced by a regular
// file; the link's target is not written, chmodded or chowned.
func TestSymlinkAtDestinationReplaced(t *testing.T) {
	_, owned, victim := layout(t)
	target := filepath.Join(victim, "shadow")
	if err := os.WriteFile(target, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(owned, "server.properties")
	if err := os.Symlink(target, dst); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"a=1\n", "secret\n"} { // also when the target's content matches
		changed, err := safefs.WriteFile(dst, []byte(content), 0o640, serviceUID, serviceUID)
		if err != nil || !changed {
			t.Fatalf("WriteFile(%q) over a link: changed %v, %v", content, changed, err)
		}
		if fi, err := os.Lstat(dst); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o640 {
			t.Fatalf("dst is not a regular 0640 file: %v %v", fi, err)
		}
		if err := os.Remove(dst); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, dst); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "secret\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 || ownerOf(t, target) != 0 {
		t.Errorf("the link's target changed mode or owner: %v uid %d", fi.Mode(), ownerOf(t, target))
	}
}

// A link root made in a directory only root can write (/var/run -> /run)
// is followed.
func TestSymlinkInTrustedDirFollowed(t *testing.T) {
	base, _, victim := layout(t)
	link := filepath.Join(base, "run")
	if err := os.Symlink("victim", link); err != nil {
		t.Fatal(err)
	}
	if _, err := safefs.WriteFile(filepath.Join(link, "sub", "f"), []byte("x"), 0o644, -1, -1); err != nil {
		t.Fatalf("through a root-made link: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(victim, "sub", "f")); err != nil || string(b) != "x" {
		t.Fatalf("file not written where the link points: %q %v", b, err)
	}
}

// The same content is left alone; a wrong mode or owner is fixed in place
// and counts as a change.
func TestWriteFileIdempotent(t *testing.T) {
	_, owned, _ := layout(t)
	dst := filepath.Join(owned, "f")
	steps := []struct {
		mode    os.FileMode
		uid     int
		changed bool
	}{{0o644, -1, true}, {0o644, -1, false}, {0o600, -1, true}, {0o600, serviceUID, true}, {0o600, serviceUID, false}}
	for i, s := range steps {
		changed, err := safefs.WriteFile(dst, []byte("same\n"), s.mode, s.uid, -1)
		if err != nil || changed != s.changed {
			t.Fatalf("step %d: changed %v, %v; want %v", i, changed, err, s.changed)
		}
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 || ownerOf(t, dst) != serviceUID {
		t.Errorf("final file: %v uid %d", fi.Mode(), ownerOf(t, dst))
	}
	if ls, _ := os.ReadDir(owned); len(ls) != 1 {
		t.Errorf("temp files left behind: %v", ls)
	}
}
