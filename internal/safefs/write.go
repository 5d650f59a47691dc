package safefs

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// MakeDir creates dir and its missing parents (mode 0755) and, when uid or
// gid is not -1, gives dir that owner, through the descriptor the walk
// opened: a dir swapped for a symlink is refused, not chowned through.
func MakeDir(dir string, uid, gid int) error {
	f, err := OpenDir(dir, true, 0o755)
	if err != nil {
		return err
	}
	defer f.Close()
	if uid < 0 && gid < 0 {
		return nil
	}
	if err := unix.Fchown(int(f.Fd()), uid, gid); err != nil {
		return &os.PathError{Op: "chown", Path: dir, Err: err}
	}
	return nil
}

// WriteFile makes dst hold content with mode and, when uid or gid is not
// -1, that owner, atomically: a temp file in the same directory, fsync,
// rename over dst, fsync of the directory. Missing parents are created. A
// dst that already matches is left alone; one that differs only in mode
// or owner is fixed in place. A symlink at dst is replaced, never written
// through. It reports whether anything on disk changed.
func WriteFile(dst string, content []byte, mode os.FileMode, uid, gid int) (bool, error) {
	d, err := OpenDir(filepath.Dir(dst), true, 0o755)
	if err != nil {
		return false, err
	}
	defer d.Close()
	dir, name := int(d.Fd()), filepath.Base(dst)
	if handled, changed, err := fixInPlace(dir, name, content, mode, uid, gid); err != nil || handled {
		return changed, err
	}
	tmp, f, err := createTemp(dir, "."+name+".kinit-")
	if err != nil {
		return false, &os.PathError{Op: "create", Path: dst, Err: err}
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			unix.Unlinkat(dir, tmp, 0)
		}
	}()
	if _, err := f.Write(content); err != nil {
		return false, err
	}
	if err := f.Chmod(mode.Perm()); err != nil {
		return false, err
	}
	if uid >= 0 || gid >= 0 {
		if err := f.Chown(uid, gid); err != nil {
			return false, err
		}
	}
	if err := f.Sync(); err != nil {
		return false, err
	}
	if err := f.Close(); err != nil {
		return false, err
	}
	if err := unix.Renameat(dir, tmp, dir, name); err != nil {
		return false, &os.PathError{Op: "rename", Path: dst, Err: err}
	}
	ok = true
	_ = unix.Fsync(dir)
	return true, nil
}

// fixInPlace handles a dst (a regular file, opened without following a
// link) that holds content already: it fixes mode and owner if need be and
// says whether it did. Anything else is left to the rename (handled false).
func fixInPlace(dir int, name string, content []byte, mode os.FileMode, uid, gid int) (handled, changed bool, err error) {
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, false, nil // absent, or a symlink (ELOOP): written anew
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != int64(len(content)) {
		return false, false, nil
	}
	if cur, err := io.ReadAll(f); err != nil || !bytes.Equal(cur, content) {
		return false, false, nil
	}
	if os.FileMode(st.Mode).Perm() != mode.Perm() {
		if err := unix.Fchmod(fd, uint32(mode.Perm())); err != nil {
			return true, false, err
		}
		changed = true
	}
	if (uid >= 0 && int(st.Uid) != uid) || (gid >= 0 && int(st.Gid) != gid) {
		if err := unix.Fchown(fd, uid, gid); err != nil {
			return true, changed, err
		}
		changed = true
	}
	return true, changed, nil
}

// createTemp makes a new file name+random in dir, never through a link.
func createTemp(dir int, prefix string) (string, *os.File, error) {
	for range 10 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", nil, err
		}
		name := prefix + hex.EncodeToString(b[:])
		fd, err := unix.Openat(dir, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, os.NewFile(uintptr(fd), name), nil
	}
	return "", nil, unix.EEXIST
}
