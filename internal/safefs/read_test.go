package safefs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/internal/safefs"
	"github.com/kinit/kinit/internal/testkit"
)

// readers are the two ways of reading; every rule about what is read holds
// for both.
var readers = []struct {
	name string
	read func(string, int64) ([]byte, error)
}{{"ReadOwned", safefs.ReadOwned}, {"ReadRegular", safefs.ReadRegular}}

// readSoon is read that fails the test, rather than hang it, when the
// read blocks: that is the fault under test.
func readSoon(t *testing.T, read func(string, int64) ([]byte, error), path string, max int64) (b []byte, err error) {
	t.Helper()
	testkit.Soon(t, "reading "+path, func() { b, err = read(path, max) })
	return b, err
}

func wantNotRegular(t *testing.T, err error, kind string) {
	t.Helper()
	var nr *safefs.NotRegularError
	if !errors.As(err, &nr) || nr.Kind != kind {
		t.Fatalf("error %v, want not a regular file (%s)", err, kind)
	}
}

// A FIFO is refused at once, whether or not a writer ever comes.
func TestReadFIFORefused(t *testing.T) {
	_, owned, _ := layout(t)
	fifo := filepath.Join(owned, "kinit-node-id")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, r := range readers {
		_, err := readSoon(t, r.read, fifo, 64)
		wantNotRegular(t, err, "FIFO")
		if !strings.Contains(err.Error(), fifo) {
			t.Errorf("%s: the error does not name the path: %v", r.name, err)
		}
	}
}

// A link to /dev/zero: the owned read refuses the link, the operator's
// read follows it and refuses the device.
func TestReadDevZeroRefused(t *testing.T) {
	_, owned, _ := layout(t)
	link := filepath.Join(owned, "meta.properties")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	_, err := readSoon(t, safefs.ReadOwned, link, 64)
	wantNotRegular(t, err, "symlink")
	_, err = readSoon(t, safefs.ReadRegular, link, 64)
	wantNotRegular(t, err, "character device")
	_, err = readSoon(t, safefs.ReadRegular, "/dev/zero", 64)
	wantNotRegular(t, err, "character device")
}

// A symlink the service planted to a file only root may read is not
// followed, neither as the file nor as a directory on the way, and its
// target's content appears nowhere.
func TestReadOwnedSymlinkRefused(t *testing.T) {
	_, owned, victim := layout(t)
	secret := filepath.Join(victim, "shadow")
	if err := os.WriteFile(secret, []byte("s3cr3t-content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(owned, "myid")
	if err := os.Symlink(secret, file); err != nil {
		t.Fatal(err)
	}
	b, err := safefs.ReadOwned(file, 64)
	wantNotRegular(t, err, "symlink")
	if len(b) != 0 || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the target was read: %q, %v", b, err)
	}
	dir := filepath.Join(owned, "data")
	if err := os.Symlink(victim, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := safefs.ReadOwned(filepath.Join(dir, "shadow"), 64); !errors.Is(err, safefs.ErrSymlink) {
		t.Errorf("through a link in the service's dir: %v, want ErrSymlink", err)
	}
}

// The operator's read follows links (ConfigMaps and Secrets are links).
func TestReadRegularFollowsLinks(t *testing.T) {
	base, owned, _ := layout(t)
	data := filepath.Join(base, "..data")
	if err := os.WriteFile(data, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(owned, "password")
	if err := os.Symlink(data, link); err != nil {
		t.Fatal(err)
	}
	if b, err := safefs.ReadRegular(link, 64); err != nil || string(b) != "pw\n" {
		t.Fatalf("ReadRegular through a link: %q, %v", b, err)
	}
}

// Above the limit is refused, the limit itself is read; a missing file is
// fs.ErrNotExist; a directory is not a regular file.
func TestReadLimits(t *testing.T) {
	_, owned, _ := layout(t)
	at := filepath.Join(owned, "at")
	over := filepath.Join(owned, "over")
	if err := os.WriteFile(at, []byte(strings.Repeat("x", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(over, []byte(strings.Repeat("x", 65)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, r := range readers {
		if b, err := r.read(at, 64); err != nil || len(b) != 64 {
			t.Errorf("%s: a file at the limit: %d bytes, %v", r.name, len(b), err)
		}
		var tl *safefs.TooLargeError
		if _, err := r.read(over, 64); !errors.As(err, &tl) || tl.Max != 64 {
			t.Errorf("%s: a file over the limit: %v", r.name, err)
		}
		if _, err := r.read(filepath.Join(owned, "none"), 64); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: a missing file: %v, want ErrNotExist", r.name, err)
		}
		if _, err := r.read(filepath.Join(owned, "none", "x"), 64); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: a missing dir: %v, want ErrNotExist", r.name, err)
		}
		_, err := r.read(owned, 64)
		wantNotRegular(t, err, "directory")
	}
}

// A file whose size says nothing (procfs) is still cut at the limit.
func TestReadProcCapped(t *testing.T) {
	var tl *safefs.TooLargeError
	if _, err := safefs.ReadRegular("/proc/self/maps", 16); !errors.As(err, &tl) {
		t.Fatalf("/proc/self/maps with a 16-byte limit: %v", err)
	}
}
