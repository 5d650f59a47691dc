package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

// SocketPath is where the server listens: KINIT_SOCKET, else the default.
// The client owns the rule, so both ends always agree.
func SocketPath() string { return client.SocketPath() }

// ErrInUse means a live kinit already answers on the socket.
var ErrInUse = errors.New("another kinit is serving this socket")

// Listen creates the control socket at path with mode 0600. An existing
// socket that nobody answers is stale (a kinit that was killed) and is
// replaced; one that answers belongs to a running kinit and is left alone.
// The socket is bound under a temporary name, restricted, then renamed,
// so it is never reachable with looser permissions.
func Listen(path string) (*net.UnixListener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create socket directory %s: %w", dir, err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("cannot create control socket %s: a file that is not a socket is in the way", path)
		}
		c, err := net.DialTimeout("unix", path, time.Second)
		switch {
		case err == nil:
			c.Close()
			return nil, fmt.Errorf("cannot create control socket %s: %w", path, ErrInUse)
		case errors.Is(err, syscall.ECONNREFUSED):
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("cannot remove stale control socket %s: %w", path, err)
			}
		default:
			return nil, fmt.Errorf("cannot check existing control socket %s: %w", path, err)
		}
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d.tmp", filepath.Base(path), os.Getpid()))
	_ = os.Remove(tmp)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", path, err)
	}
	l.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("cannot restrict control socket %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("cannot create control socket %s: %w", path, err)
	}
	return l, nil
}
