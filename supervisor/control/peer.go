package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

type peerKey struct{}

// peer is the process at the other end of a connection: its credentials
// from SO_PEERCRED (as at connect(2)) and, when kinit's pid namespace sees
// it, its start time when kinit accepted it, so that a later check knows
// whether the pid still names the same process.
type peer struct {
	ucred *unix.Ucred
	start uint64 // 0: pid 0, or the process had gone by then
	err   error
}

func withPeer(ctx context.Context, c net.Conn) context.Context {
	p := peer{err: errors.New("not a unix socket")}
	if sc, ok := c.(syscall.Conn); ok {
		raw, err := sc.SyscallConn()
		if err != nil {
			p.err = err
		} else if cerr := raw.Control(func(fd uintptr) {
			p.ucred, p.err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		}); cerr != nil {
			p.err = cerr
		}
	}
	if p.ucred != nil && p.ucred.Pid > 0 {
		if st, err := readStat(int(p.ucred.Pid)); err == nil {
			p.start = st.start
		}
	}
	return context.WithValue(ctx, peerKey{}, p)
}

// kinitPid is the process whose descendants may not control services:
// kinit's own (tests whose CLI is a child of the test process that serves
// the socket fake it).
var kinitPid = os.Getpid()

// gate decides what a peer may do. Reading (GET, HEAD) is for root and
// kinit's uid. Controlling (any other method) is for those too, but not
// for a process below kinit: in the non-root image every service runs as
// kinit's uid, so the uid alone would let a service stop another. A
// process kinit started, a probe, or an orphan kinit adopted is below it;
// `docker exec` and `kubectl exec` enter the pid namespace from outside
// (parent pid 0) and an operator's shell is not below a kinit that is not
// PID 1, so they are not.
type gate struct {
	next http.Handler
	b    Backend
	log  *slog.Logger
	uid  uint32
	self int

	mu     sync.Mutex
	warned map[peerID]bool
}

// peerID names one process for the once-per-peer warning.
type peerID struct {
	pid   int32
	start uint64
	uid   uint32
}

// maxWarned bounds the warned set; past it, warnings start over.
const maxWarned = 256

func newGate(next http.Handler, b Backend, log *slog.Logger) *gate {
	return &gate{next: next, b: b, log: log, uid: uint32(os.Getuid()), self: kinitPid, warned: map[peerID]bool{}}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, _ := r.Context().Value(peerKey{}).(peer)
	if p.ucred == nil {
		writeError(w, http.StatusForbidden, fmt.Sprintf("permission denied: cannot read peer credentials: %v", p.err))
		return
	}
	if p.ucred.Uid != 0 && p.ucred.Uid != g.uid {
		g.refused(p, r, "not root or kinit's uid")
		writeError(w, http.StatusForbidden, fmt.Sprintf(
			"permission denied: uid %d may not use the kinit control socket (only root and uid %d may)", p.ucred.Uid, g.uid))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Checked on every request, not once per connection: the check
		// also proves the process that connected is still the one the
		// pid names.
		if err := g.mayControl(p); err != nil {
			g.refused(p, r, err.Error())
			writeError(w, http.StatusForbidden, err.Error())
			return
		}
	}
	g.next.ServeHTTP(w, r)
}

// mayControl is nil when the peer is no process kinit supervises.
func (g *gate) mayControl(p peer) error {
	pid := int(p.ucred.Pid)
	if pid == 0 {
		// SO_PEERCRED gives pid 0 for a process kinit's pid namespace does
		// not see: one of an enclosing namespace (the host's), which
		// nothing kinit starts can be.
		return nil
	}
	if self, err := os.Readlink(procRoot + "/self"); err != nil || self != strconv.Itoa(os.Getpid()) {
		return fmt.Errorf("permission denied: cannot tell whether pid %d is a process kinit supervises: %s is not the proc of kinit's pid namespace", pid, procRoot)
	}
	var lastErr error
	// A parent that exits during a walk hands its children to kinit (or
	// to another subreaper): walk again.
	for range 3 {
		if err := g.samePeer(p); err != nil {
			return err
		}
		chain, below, err := lineage(pid, g.self)
		if err != nil {
			lastErr = err
			continue
		}
		// The walk is the peer's only if it still lives now.
		if err := g.samePeer(p); err != nil {
			return err
		}
		if below {
			return fmt.Errorf("permission denied: pid %d is a process kinit supervises (%s); services may read status and health but not control services: run kinit from docker exec or kubectl exec", pid, g.owner(chain))
		}
		return nil
	}
	return fmt.Errorf("permission denied: cannot tell whether pid %d is a process kinit supervises: %w", pid, lastErr)
}

// samePeer is nil when the peer's pid still names the process that
// connected.
func (g *gate) samePeer(p peer) error {
	pid := p.ucred.Pid
	st, err := readStat(int(pid))
	if err != nil || p.start == 0 || st.start != p.start {
		return fmt.Errorf("permission denied: pid %d, which connected, has exited; kinit cannot tell who holds its connection", pid)
	}
	return nil
}

// owner names the service whose process is in chain, if any.
func (g *gate) owner(chain []int) string {
	for _, st := range g.b.Snapshot().Services {
		for _, pid := range chain {
			if st.Pid != 0 && st.Pid == pid {
				return fmt.Sprintf("service %q", st.ID)
			}
		}
	}
	return "a process kinit started or adopted"
}

// refused logs a refusal at warn level once per peer process.
func (g *gate) refused(p peer, r *http.Request, why string) {
	id := peerID{pid: p.ucred.Pid, start: p.start, uid: p.ucred.Uid}
	g.mu.Lock()
	seen := g.warned[id]
	if !seen {
		if len(g.warned) >= maxWarned {
			clear(g.warned)
		}
		g.warned[id] = true
	}
	g.mu.Unlock()
	if !seen {
		g.log.Warn("control socket: refused a peer", "uid", p.ucred.Uid, "pid", p.ucred.Pid,
			"method", r.Method, "path", r.URL.Path, "why", why)
	}
}
