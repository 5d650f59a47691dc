// Package control serves kinit's control socket: HTTP+JSON on a unix
// socket, for `kinit status|health|start|stop|restart|signal` and for
// `curl --unix-socket`.
//
// Who may do what. The socket is mode 0600 and every connection's peer
// credentials (SO_PEERCRED) are checked, in case the mode was loosened:
// only root and the uid kinit runs as get an answer. Reading (GET: status,
// health) is open to them. Controlling (POST: start, stop, restart,
// signal) is also refused, with 403 and the reason, to any process below
// kinit: a service, its children, a probe, or an orphan kinit adopted as
// PID 1 or subreaper (peer.go, ancestry.go). In the non-root image every
// service runs as kinit's uid, so the uid alone is no boundary; the
// parent chain in /proc is, since a process never leaves kinit's subtree.
// The operator's `docker exec`/`kubectl exec` (and HEALTHCHECK) processes
// enter the pid namespace from outside, with parent pid 0, and a peer in an
// enclosing namespace shows pid 0: neither is below kinit. The check runs
// on each request and also proves the pid still names the process that
// connected (its start time), so a recycled pid is not taken for it.
//
// Bounds. At most connLimit connections are open at once (limit.go);
// more wait in the kernel's backlog, holding none of kinit's descriptors.
// A connection must send its request headers within 5 s and its request
// within 10 s, and is closed after idleTimeout without one; an answer
// that its client does not read within 10 s is abandoned. So no client,
// however many connections it opens, can take the descriptors a restart
// needs (the supervisor also keeps a reserve for that).
//
// Endpoints (see docs/supervision.md for the JSON):
//
//	GET  /v1/status                     node header and every service
//	GET  /v1/health                     200 when every service is ready, else 503
//	GET  /v1/logs?service=&n=&follow=1  recent output from the rings, NDJSON (stream.go)
//	GET  /v1/events                     status, then statuses and events, NDJSON
//	POST /v1/services/{id}/start|stop|restart
//	POST /v1/services/{id}/signal/{sig}
package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/kinit/kinit/internal/sigtab"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control/api"
	"golang.org/x/sys/unix"
)

// Backend is what the socket exposes; *supervisor.Supervisor implements it.
type Backend interface {
	Snapshot() supervisor.Snapshot
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	Restart(ctx context.Context, id string) error
	Signal(ctx context.Context, id string, sig unix.Signal) error
}

// idleTimeout closes a kept-alive connection that sends no next request,
// giving its slot back (the CLI does not keep connections; curl and
// scripts may).
var idleTimeout = 10 * time.Second

// writeTimeout bounds one JSON answer's write, so a client that never
// reads holds its slot no longer.
var writeTimeout = 10 * time.Second

// Server serves one control socket.
type Server struct {
	l    *net.UnixListener
	path string
	http *http.Server
	done chan struct{}
}

// Start listens on path (see Listen) and serves b until Close.
func Start(path string, b Backend, log *slog.Logger) (*Server, error) {
	l, err := Listen(path)
	if err != nil {
		return nil, err
	}
	return Serve(l, path, b, log), nil
}

// Serve serves b on an existing listener; path is removed on Close.
func Serve(l *net.UnixListener, path string, b Backend, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{l: l, path: path, done: make(chan struct{})}
	// Streams (stream.go) end when their request's context does: on
	// Close, not only when their client goes.
	base, stopStreams := context.WithCancel(context.Background())
	// No WriteTimeout: it would cut a long answer that follows a log or a
	// watch. writeJSON bounds its own write instead, and a streaming
	// handler must clear its read deadline (http.ResponseController), or
	// ReadTimeout ends its request's context.
	s.http = &http.Server{
		Handler:           newGate(newMux(b), b, log),
		ConnContext:       withPeer,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	s.http.RegisterOnShutdown(stopStreams)
	limited := newLimitListener(l, connLimit())
	go func() {
		defer close(s.done)
		if err := s.http.Serve(limited); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control socket stopped", "err", err)
		}
	}()
	return s
}

// Close stops serving and removes the socket file.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

func newMux(b Backend) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, toWire(b.Snapshot(), time.Now()))
	})
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		h := toHealth(b.Snapshot())
		code := http.StatusOK
		if !h.Ready {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, h)
	})
	addStreams(mux, b)
	mux.HandleFunc("POST /v1/services/{id}/signal/{sig}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		sig, err := sigtab.Parse(r.PathValue("sig"))
		if err != nil || sig.Uncatchable && sig.Num != unix.SIGKILL {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("cannot send signal %q", r.PathValue("sig")))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		err = b.Signal(ctx, id, sig.Num)
		switch {
		case errors.Is(err, supervisor.ErrUnknownService):
			writeError(w, http.StatusNotFound, fmt.Sprintf("unknown service %q", id))
		case errors.Is(err, supervisor.ErrNotRunning):
			writeError(w, http.StatusConflict, err.Error())
		case err != nil:
			writeError(w, http.StatusInternalServerError, err.Error())
		default:
			writeJSON(w, http.StatusAccepted, api.Action{Service: id, Action: "signal " + sig.Name, Result: "sent"})
		}
	})
	mux.HandleFunc("POST /v1/services/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		id, action := r.PathValue("id"), r.PathValue("action")
		var fn func(context.Context, string) error
		switch action {
		case "start":
			fn = b.Start
		case "stop":
			fn = b.Stop
		case "restart":
			fn = b.Restart
		default:
			writeError(w, http.StatusNotFound, fmt.Sprintf("unknown action %q (want start, stop or restart)", action))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		err := fn(ctx, id)
		switch {
		case errors.Is(err, supervisor.ErrUnknownService):
			writeError(w, http.StatusNotFound, fmt.Sprintf("unknown service %q", id))
		case errors.Is(err, supervisor.ErrShuttingDown):
			writeError(w, http.StatusConflict, "kinit is stopping; no service can be controlled now")
		case err != nil:
			writeError(w, http.StatusInternalServerError, err.Error())
		default:
			writeJSON(w, http.StatusAccepted, api.Action{Service: id, Action: action, Result: "accepted"})
		}
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, api.Problem{Error: msg})
}
