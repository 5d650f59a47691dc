package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kinit/kinit/plan"
)

// ZooKeeper passes when the server at Addr is serving: ruok answers imok
// (when whitelisted) and srvr reports standalone, leader, follower or
// observer. When srvr is not whitelisted it falls back to opening a
// session on that server and reading "/". TLS, when set, is how every
// connection is made (a secureClientPort); nil speaks plaintext.
type ZooKeeper struct {
	Addr string
	TLS  *plan.TLS
}

func (p ZooKeeper) String() string { return p.Addr }

func (p ZooKeeper) Check(ctx context.Context) error {
	d, err := newZKDialer(p.Addr, p.TLS)
	if err != nil {
		return err
	}
	// ZooKeeper 3.5+ whitelists only srvr by default: a refused ruok is
	// skipped, and only when srvr is refused too does a session decide.
	reply, err := fourLetter(ctx, d, p.Addr, "ruok")
	if err != nil {
		return err
	}
	if reply == "" && !d.tls() {
		// ZooKeeper answers every word, if only to refuse it; a
		// secureClientPort drops plaintext after its failed handshake.
		return fail(p.Addr, "is not ok: closed the connection without answering ruok (does it serve TLS only?)", nil)
	}
	if err := ParseRuok(reply); err != nil && !errors.Is(err, ErrNotWhitelisted) {
		return fail(p.Addr, "is not ok", err)
	}
	reply, err = fourLetter(ctx, d, p.Addr, "srvr")
	if err != nil {
		return err
	}
	s, err := ParseSrvr(reply)
	switch {
	case errors.Is(err, ErrNotWhitelisted):
		return readRoot(ctx, d, p.Addr, []string{p.Addr}, "")
	case errors.Is(err, ErrNotServing):
		return fail(p.Addr, "not serving (no quorum)", nil)
	case err != nil:
		return fail(p.Addr, "answered srvr oddly", err)
	case !s.Serving():
		return fail(p.Addr, "in mode "+s.Mode, nil)
	}
	return nil
}

// ZooKeeperQuorum passes when a session through the connect string can
// read "/" (or the chroot): ZooKeeper only grants sessions while a quorum
// serves, so this checks the ensemble as clients will use it. TLS as for
// ZooKeeper.
type ZooKeeperQuorum struct {
	Connect string
	TLS     *plan.TLS
}

func (p ZooKeeperQuorum) String() string { return p.Connect }

func (p ZooKeeperQuorum) Check(ctx context.Context) error {
	d, err := newZKDialer(p.Connect, p.TLS)
	if err != nil {
		return err
	}
	servers, chroot := ParseConnect(p.Connect)
	return readRoot(ctx, d, p.Connect, servers, chroot)
}

func readRoot(ctx context.Context, d zkDialer, target string, servers []string, chroot string) error {
	return withSession(ctx, d, target, servers, func(c *zk.Conn) error {
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
// attempt's timeout) bounds all of it. A TLS refusal by every server ends
// the attempt at once: it will not pass by waiting.
func withSession(ctx context.Context, d zkDialer, target string, servers []string, fn func(*zk.Conn) error) error {
	if len(servers) == 0 {
		return fail(target, "names no server", nil)
	}
	var (
		mu       sync.Mutex
		lastDial error
	)
	refused := newRefusals(len(servers))
	dial := d.sessionDialer(ctx, target, refused, func(err error) {
		mu.Lock()
		lastDial = err
		mu.Unlock()
	})
	var hosts zk.HostProvider = zk.NewDNSHostProvider()
	if d.tls() {
		hosts = &namedHosts{}
	}
	conn, events, err := zk.Connect(servers, 10*time.Second, zk.WithLogger(quietLogger{}), zk.WithDialer(dial), zk.WithHostProvider(hosts))
	if err != nil {
		return fail(target, "cannot connect", err)
	}
	defer conn.Close()
	for {
		select {
		case <-refused.all:
			return securityFailure(target, refused.last())
		case <-ctx.Done():
			if rerr := refused.last(); rerr != nil {
				return securityFailure(target, rerr)
			}
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
