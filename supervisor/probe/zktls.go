// How the ZooKeeper probes reach a server that serves only a
// secureClientPort: every connection, four-letter word or session, is a
// TLS client connection built from plan.TLS. The files are read once per
// attempt (as the Kafka probes do), never kept between attempts.

package probe

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kinit/kinit/plan"
)

// zkDialer opens one connection to a ZooKeeper server: plaintext TCP, or
// a TLS connection whose handshake is done when it returns.
type zkDialer struct {
	cfg *tls.Config // nil: plaintext
}

// newZKDialer reads t's files now: an unreadable CA, certificate or key
// is an *Error on target naming the file, before any dial.
func newZKDialer(target string, t *plan.TLS) (zkDialer, error) {
	if t == nil {
		return zkDialer{}, nil
	}
	cfg, err := tlsConfig(target, t)
	if err != nil {
		return zkDialer{}, err
	}
	return zkDialer{cfg: cfg}, nil
}

func (d zkDialer) tls() bool { return d.cfg != nil }

// dial connects to addr. Without a ServerName in the plan the
// certificate must name the host of addr, per dial: a session tries the
// servers of its connect string one after the other.
func (d zkDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil || d.cfg == nil {
		return c, err
	}
	cfg := d.cfg.Clone()
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			c.Close()
			return nil, err
		}
		cfg.ServerName = host
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}

// refusals remembers why the servers of one session attempt refused the
// probe's TLS: go-zookeeper only logs a failed dial or connect request
// and tries the next server, so the reason would be lost otherwise.
type refusals struct {
	mu      sync.Mutex
	servers int
	by      map[string]error // server address → its refusal
	all     chan struct{}    // closed once every server refused
}

func newRefusals(servers int) *refusals {
	return &refusals{servers: servers, by: map[string]error{}, all: make(chan struct{})}
}

// note keeps err when it is a refusal (kafkarefusal.Classify) of addr.
func (r *refusals) note(target, addr string, err error) {
	if err == nil || securityFailure(target, err) == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	first := len(r.by) < r.servers
	r.by[addr] = err
	if first && len(r.by) == r.servers {
		close(r.all)
	}
}

// last is one of the refusals (nil: none).
func (r *refusals) last() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, err := range r.by {
		return err
	}
	return nil
}

// refusalConn reports to refusals what fails after the handshake: under
// TLS 1.3 a server that wants a client certificate it did not get sends
// its alert after the client finished, so the probe reads it with the
// first reply (the session's connect response).
type refusalConn struct {
	net.Conn
	target, addr string
	r            *refusals
}

func (c refusalConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.r.note(c.target, c.addr, err)
	return n, err
}

func (c refusalConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.r.note(c.target, c.addr, err)
	return n, err
}

// sessionDialer is d as go-zookeeper's dialer, bounded by ctx (the
// attempt), noting refusals in r.
func (d zkDialer) sessionDialer(ctx context.Context, target string, r *refusals, lastDial func(error)) zk.Dialer {
	return func(_, addr string, timeout time.Duration) (net.Conn, error) {
		dctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c, err := d.dial(dctx, addr)
		lastDial(err)
		r.note(target, addr, err)
		if err != nil || !d.tls() {
			return c, err
		}
		return refusalConn{Conn: c, target: target, addr: addr, r: r}, nil
	}
}

// namedHosts hands go-zookeeper the servers as the connect string names
// them. Its default provider resolves them to IP addresses first, and a
// certificate names the host, not the address it resolves to.
type namedHosts struct {
	mu      sync.Mutex
	servers []string
	curr    int
	last    int
}

func (h *namedHosts) Init(servers []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.servers, h.curr, h.last = servers, -1, -1
	return nil
}

func (h *namedHosts) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.servers)
}

// Next is the next server; retryStart once every server was tried since
// the last connection (go-zookeeper pauses a second then).
func (h *namedHosts) Next() (server string, retryStart bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.curr = (h.curr + 1) % len(h.servers)
	retryStart = h.curr == h.last
	if h.last == -1 {
		h.last = 0
	}
	return h.servers[h.curr], retryStart
}

func (h *namedHosts) Connected() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = h.curr
}
