package control

import (
	"net"
	"sync"

	"golang.org/x/sys/unix"
)

// connLimit is how many connections the socket serves at once: an eighth
// of the descriptors kinit may hold (RLIMIT_NOFILE's soft limit, which Go
// raises to the hard limit at start), at least 4 and at most 32 (64 → 8;
// the usual 1 048 576 → 32). Clients beyond it wait in the kernel's listen
// backlog, where they hold none of kinit's descriptors, so no number of
// idle clients can take those a restart and its probes need.
func connLimit() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 4
	}
	return int(min(32, max(4, lim.Cur/8)))
}

// limitListener accepts a connection only when it has a slot for it: the
// slot is taken before accept(2) and given back when the connection is
// closed, exactly once however often Close is called.
type limitListener struct {
	*net.UnixListener
	slots     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l *net.UnixListener, n int) *limitListener {
	return &limitListener{UnixListener: l, slots: make(chan struct{}, n), closed: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.AcceptUnix()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{UnixConn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

// Close also ends an Accept that waits for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.UnixListener.Close()
}

// limitConn keeps *net.UnixConn's methods (SyscallConn for SO_PEERCRED).
type limitConn struct {
	*net.UnixConn
	release func()
}

func (c *limitConn) Close() error {
	err := c.UnixConn.Close()
	c.release()
	return err
}
