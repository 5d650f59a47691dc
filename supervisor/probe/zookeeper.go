package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// ZooKeeper passes when the server at Addr is serving: ruok answers imok
// (when whitelisted) and srvr reports standalone, leader, follower or
// observer. When srvr is not whitelisted it falls back to opening a
// session on that server and reading "/".
type ZooKeeper struct{ Addr string }

func (p ZooKeeper) String() string { return p.Addr }

func (p ZooKeeper) Check(ctx context.Context) error {
	// ZooKeeper 3.5+ whitelists only srvr by default: a refused ruok is
	// skipped, and only when srvr is refused too does a session decide.
	reply, err := FourLetter(ctx, p.Addr, "ruok")
	if err != nil {
		return err
	}
	if err := ParseRuok(reply); err != nil && !errors.Is(err, ErrNotWhitelisted) {
		return fail(p.Addr, "is not ok", err)
	}
	reply, err = FourLetter(ctx, p.Addr, "srvr")
	if err != nil {
		return err
	}
	s, err := ParseSrvr(reply)
	switch {
	case errors.Is(err, ErrNotWhitelisted):
		return p.session(ctx)
	case errors.Is(err, ErrNotServing):
		return fail(p.Addr, "not serving (no quorum)", nil)
	case err != nil:
		return fail(p.Addr, "answered srvr oddly", err)
	case !s.Serving():
		return fail(p.Addr, "in mode "+s.Mode, nil)
	}
	return nil
}

func (p ZooKeeper) session(ctx context.Context) error {
	return readRoot(ctx, p.Addr, []string{p.Addr}, "")
}

// ZooKeeperQuorum passes when a session through the connect string can
// read "/" (or the chroot): ZooKeeper only grants sessions while a quorum
// serves, so this checks the ensemble as clients will use it.
type ZooKeeperQuorum struct{ Connect string }

func (p ZooKeeperQuorum) String() string { return p.Connect }

func (p ZooKeeperQuorum) Check(ctx context.Context) error {
	servers, chroot := ParseConnect(p.Connect)
	return readRoot(ctx, p.Connect, servers, chroot)
}

func readRoot(ctx context.Context, target string, servers []string, chroot string) error {
	return withSession(ctx, target, servers, func(c *zk.Conn) error {
		path := chroot
		if path == "" {
			path = "/"
		}
		ok, _, err := c.Exists(path)
		if err != nil {
			return fail(target, "cannot read "+path, err)
		}
		if !ok {
			return fail(target, "has no "+path, nil)
		}
		return nil
	})
}

// ParseConnect splits "h1:2181,h2:2181/chroot" into servers and chroot
// ("" or "/chroot" without a trailing slash).
func ParseConnect(s string) (servers []string, chroot string) {
	hosts := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hosts, chroot = s[:i], strings.TrimRight(s[i:], "/")
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			if !strings.Contains(h, ":") {
				h += ":2181"
			}
			servers = append(servers, h)
		}
	}
	return servers, chroot
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// withSession opens a session, waits until the server granted it, runs fn
// and closes it. The client library retries servers on its own; ctx (the
// attempt's timeout) bounds all of it.
func withSession(ctx context.Context, target string, servers []string, fn func(*zk.Conn) error) error {
	if len(servers) == 0 {
		return fail(target, "names no server", nil)
	}
	var (
		mu       sync.Mutex
		lastDial error
	)
	dial := func(network, addr string, timeout time.Duration) (net.Conn, error) {
		d := net.Dialer{Timeout: timeout}
		c, err := d.DialContext(ctx, network, addr)
		mu.Lock()
		lastDial = err
		mu.Unlock()
		return c, err
	}
	conn, events, err := zk.Connect(servers, 10*time.Second, zk.WithLogger(quietLogger{}), zk.WithDialer(dial))
	if err != nil {
		return fail(target, "cannot connect", err)
	}
	defer conn.Close()
	for {
		select {
		case <-ctx.Done():
			mu.Lock()
			derr := lastDial
			mu.Unlock()
			if derr != nil {
				return dialFailure(target, derr)
			}
			return fail(target, fmt.Sprintf("granted no session (%s)", conn.State()), ctx.Err())
		case ev, ok := <-events:
			if !ok {
				return fail(target, "closed the session", nil)
			}
			if ev.State == zk.StateHasSession {
				return runBounded(ctx, target, conn, fn)
			}
		}
	}
}

// runBounded runs fn but returns when ctx ends: a request on a session that
// lost its server waits for the library's own timeout otherwise. Closing
// the connection (deferred by the caller) fails the request so fn returns.
func runBounded(ctx context.Context, target string, conn *zk.Conn, fn func(*zk.Conn) error) error {
	done := make(chan error, 1)
	go func() { done <- fn(conn) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		conn.Close()
		<-done
		return fail(target, "did not answer", ctx.Err())
	}
}
