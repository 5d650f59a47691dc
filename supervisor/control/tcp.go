// The read-only TCP status listener: GET /v1/status and GET /v1/health
// of the control API over the network, so another node (the gateway's
// cluster page) can read this node's state. It is off unless
// KINIT_STATUS_LISTEN names an address. Nothing that changes a service
// is reachable through it: TCP carries no peer credentials, so the
// socket's gate cannot tell who asks, and only reads are served.

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
	"time"
)

// EnvStatusListen names the TCP address of the read-only status listener
// (host:port, e.g. 0.0.0.0:9095); unset or empty leaves it off.
const EnvStatusListen = "KINIT_STATUS_LISTEN"

// DefaultStatusPort is the port documented for KINIT_STATUS_LISTEN and the
// one the gateway's cluster page asks each node on unless told otherwise;
// no service of rootfs/etc/kinit/kinit.toml uses it.
const DefaultStatusPort = 9095

// statusConnLimit bounds the TCP listener's connections: a page polling
// every few seconds needs one; the rest wait in the kernel's backlog.
const statusConnLimit = 4

// StatusAddr reads KINIT_STATUS_LISTEN: "" when unset, else the host:port
// it names, or an error naming the variable.
func StatusAddr(getenv func(string) string) (string, error) {
	v := getenv(EnvStatusListen)
	if v == "" {
		return "", nil
	}
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", fmt.Errorf("%s=%q: want ADDR:PORT (e.g. 0.0.0.0:%d): %v", EnvStatusListen, v, DefaultStatusPort, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%s=%q: port %q is not 0-65535 (0: any free port, as logged)", EnvStatusListen, v, port)
	}
	// A host name is resolved by the listen itself, whose error names
	// the variable too; no lookup here that could hold the start.
	return v, nil
}

// StatusServer is the read-only TCP listener; a nil *StatusServer (the
// listener off) may be closed.
type StatusServer struct {
	ln   net.Listener
	http *http.Server
	done chan struct{}
}

// StartStatusFromEnv starts the listener when KINIT_STATUS_LISTEN is set,
// and returns nil, nil when it is not.
func StartStatusFromEnv(b Backend, log *slog.Logger) (*StatusServer, error) {
	addr, err := StatusAddr(os.Getenv)
	if err != nil || addr == "" {
		return nil, err
	}
	return StartStatus(addr, b, log)
}

// StartStatus serves the status reads of b on addr until Close.
func StartStatus(addr string, b Backend, log *slog.Logger) (*StatusServer, error) {
	if log == nil {
		log = slog.Default()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot listen on %s: %w", EnvStatusListen, addr, err)
	}
	s := &StatusServer{ln: ln, done: make(chan struct{})}
	s.http = &http.Server{
		Handler:           ReadOnly(newMux(b)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	log.Info("read-only status listener", "addr", ln.Addr().String(), "paths", "GET /v1/status, GET /v1/health")
	go func() {
		defer close(s.done)
		if err := s.http.Serve(newSlotListener(ln, statusConnLimit)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("status listener stopped", "err", err)
		}
	}()
	return s, nil
}

// Addr is the bound address (the port chosen when addr asked for 0).
func (s *StatusServer) Addr() net.Addr { return s.ln.Addr() }

// Close stops serving; in-flight reads get up to 2 s.
func (s *StatusServer) Close() error {
	if s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	return err
}

// readOnlyPaths are all the TCP listener answers.
var readOnlyPaths = map[string]bool{"/v1/status": true, "/v1/health": true}

// ReadOnly passes GET and HEAD of /v1/status and /v1/health to next and
// refuses everything else: 404 for another path, 405 for another method.
func ReadOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readOnlyPaths[r.URL.Path] {
			writeError(w, http.StatusNotFound, "not found: this listener serves only GET /v1/status and GET /v1/health")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method not allowed: this listener is read-only")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// slotListener accepts a connection only when one of its slots is free,
// as limitListener does for the socket, so no number of network clients
// can take the descriptors kinit needs.
type slotListener struct {
	net.Listener
	slots     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func newSlotListener(l net.Listener, n int) *slotListener {
	return &slotListener{Listener: l, slots: make(chan struct{}, n), closed: make(chan struct{})}
}

func (l *slotListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

func (l *slotListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

type slotConn struct {
	net.Conn
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
