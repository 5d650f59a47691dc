package safefs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Reading has one rule for what is read and two for how the path is
// followed. Only a regular file is read, opened non-blocking so that a FIFO
// cannot hold the open, and at most max bytes of it: a FIFO, a device or a
// link to /dev/zero is an error naming its kind, never a hang or a read
// without end.
//
//   - ReadOwned reads a file in a directory a service owns (the persisted
//     node id, ZooKeeper's myid, Kafka's meta.properties): the path is
//     walked as writes walk it (a symlink is followed only in a trusted
//     directory) and the file itself is never a symlink, so a service user
//     cannot make root read a file of its choosing.
//   - ReadRegular reads a file the operator names (KINIT_CONFIG, a *_FILE
//     secret, a template): symlinks are followed, since Kubernetes mounts
//     ConfigMaps and Secrets through them.

// NotRegularError is returned for a path that names something other than
// a regular file.
type NotRegularError struct {
	Kind string // "FIFO", "character device", "directory", "symlink", …
}

func (e *NotRegularError) Error() string { return "not a regular file (" + e.Kind + ")" }

// TooLargeError is returned for a file larger than the limit it is read
// with.
type TooLargeError struct {
	Max int64
}

func (e *TooLargeError) Error() string {
	return "larger than " + Size(e.Max) + ", the most kinit reads of such a file"
}

// ReadOwned reads the regular file at path, at most max bytes, without
// following a symlink at path or in a directory someone other than root or
// kinit's user could write. A missing file is an error that
// errors.Is(err, fs.ErrNotExist) recognises, as for os.ReadFile.
func ReadOwned(path string, max int64) ([]byte, error) {
	d, err := OpenDir(filepath.Dir(path), false, 0)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	dir, name := int(d.Fd()), filepath.Base(path)
	// Judged before the open: opening a device can act on it.
	var st unix.Stat_t
	if err := unix.Fstatat(dir, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if kind := kindOf(st.Mode); kind != "" {
		return nil, &os.PathError{Op: "read", Path: path, Err: &NotRegularError{Kind: kind}}
	}
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err} // ELOOP: swapped for a link meanwhile
	}
	return readCapped(fd, path, max)
}

// ReadRegular reads the regular file at path, following symlinks, at most
// max bytes.
func ReadRegular(path string, max int64) ([]byte, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if kind := kindOf(st.Mode); kind != "" {
		return nil, &os.PathError{Op: "read", Path: path, Err: &NotRegularError{Kind: kind}}
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	return readCapped(fd, path, max)
}

// readCapped reads the open fd (closing it) if it is a regular file of at
// most max bytes, checked again on the descriptor: the path may have been
// swapped between the stat and the open.
func readCapped(fd int, path string, max int64) ([]byte, error) {
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	fail := func(err error) ([]byte, error) { return nil, &os.PathError{Op: "read", Path: path, Err: err} }
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fail(err)
	}
	if kind := kindOf(st.Mode); kind != "" {
		return fail(&NotRegularError{Kind: kind})
	}
	if st.Size > max {
		return fail(&TooLargeError{Max: max})
	}
	// The size is only a hint (files of /proc say 0, a file may grow):
	// the read itself stops one byte past the limit.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return fail(err)
	}
	if int64(len(data)) > max {
		return fail(&TooLargeError{Max: max})
	}
	return data, nil
}

// kindOf names a file type other than regular ("" for a regular file).
func kindOf(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return ""
	case unix.S_IFIFO:
		return "FIFO"
	case unix.S_IFCHR:
		return "character device"
	case unix.S_IFBLK:
		return "block device"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFLNK:
		return "symlink"
	case unix.S_IFDIR:
		return "directory"
	}
	return "unknown type"
}

// Size formats a byte count the way limits are written: 64 KiB, 4 MiB.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
