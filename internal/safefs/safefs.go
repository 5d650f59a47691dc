// Package safefs writes files and directories as root without being led
// elsewhere by a symlink that someone else planted. kinit renders files into
// directories its services own (data dirs, config dirs handed to the
// service user); a service user who swaps such a directory, or a file in
// it, for a symlink must not make root write, chmod or chown a path of its
// choosing.
//
// The rule: a path is walked one component at a time with openat and
// O_NOFOLLOW. A symlink is followed only when the directory holding it is
// trusted — owned by root or by kinit's own user and writable by nobody
// else — because then only they could have made it (/var/run -> /run, a
// volume link an image ships). Anywhere else it is an error. Every
// operation after the walk works on the opened descriptor, so swapping a
// component afterwards changes nothing.
package safefs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrSymlink is returned for a symlink in an untrusted directory.
var ErrSymlink = errors.New("symlink in a directory not owned by root: not followed")

// maxLinks bounds the symlinks followed in one walk, as the kernel's 40.
const maxLinks = 40

// OpenDir opens the directory at path (absolute), creating missing
// components with mode perm when create is set. The caller closes it.
func OpenDir(path string, create bool, perm uint32) (*os.File, error) {
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		path = abs
	}
	fd, err := walk(filepath.Clean(path), create, perm)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

func walk(path string, create bool, perm uint32) (int, error) {
	links := 0
restart:
	fd, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	done := "/"
	rest := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, name := range rest {
		if name == "" {
			continue
		}
		var st unix.Stat_t
		err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if errors.Is(err, unix.ENOENT) && create {
			if err := unix.Mkdirat(fd, name, perm); err != nil && !errors.Is(err, unix.EEXIST) {
				unix.Close(fd)
				return -1, err
			}
			err = unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		}
		if err != nil {
			unix.Close(fd)
			return -1, err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			ok, terr := trusted(fd)
			if terr != nil || !ok {
				unix.Close(fd)
				return -1, fmt.Errorf("%s: %w", filepath.Join(done, name), ErrSymlink)
			}
			target, err := readlinkat(fd, name)
			unix.Close(fd)
			if err != nil {
				return -1, err
			}
			if links++; links > maxLinks {
				return -1, unix.ELOOP
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(done, target)
			}
			path = filepath.Clean(filepath.Join(append([]string{target}, rest[i+1:]...)...))
			goto restart
		}
		next, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		if err != nil {
			return -1, err // ELOOP or ENOTDIR: it was swapped meanwhile
		}
		fd = next
		done = filepath.Join(done, name)
	}
	return fd, nil
}

// trusted: only root or kinit's user could have put a link in dir.
func trusted(dir int) (bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(dir, &st); err != nil {
		return false, err
	}
	owner := st.Uid == 0 || int(st.Uid) == os.Geteuid()
	return owner && st.Mode&0o022 == 0, nil
}

func readlinkat(dir int, name string) (string, error) {
	for n := 256; ; n *= 2 {
		b := make([]byte, n)
		m, err := unix.Readlinkat(dir, name, b)
		if err != nil {
			return "", err
		}
		if m < n {
			return string(b[:m]), nil
		}
	}
}
