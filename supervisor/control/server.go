// Package control serves kinit's control socket: HTTP+JSON on a unix
// socket, for `kinit status|health|start|stop|restart` and for
// `curl --unix-socket`. Only root and the uid kinit runs as may use it:
// the socket is mode 0600 and every connection's peer credentials
// (SO_PEERCRED) are checked, in case the mode was loosened.
//
// Endpoints (see docs/supervision.md for the JSON):
//
//	GET  /v1/status                     node header and every service
//	GET  /v1/health                     200 when every service is ready, else 503
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
	s.http = &http.Server{
		Handler:           peerCheck(newMux(b), log),
		ConnContext:       withPeer,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
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

type peerKey struct{}

// peer is the credentials of the process at the other end of a connection.
type peer struct {
	ucred *unix.Ucred
	err   error
}

func withPeer(ctx context.Context, c net.Conn) context.Context {
	p := peer{err: errors.New("not a unix socket")}
	if uc, ok := c.(*net.UnixConn); ok {
		raw, err := uc.SyscallConn()
		if err != nil {
			p.err = err
		} else if cerr := raw.Control(func(fd uintptr) {
			p.ucred, p.err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		}); cerr != nil {
			p.err = cerr
		}
	}
	return context.WithValue(ctx, peerKey{}, p)
}

// peerCheck lets root and kinit's own uid through; others get 403 with a
// message that says why.
func peerCheck(next http.Handler, log *slog.Logger) http.Handler {
	self := uint32(os.Getuid())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := r.Context().Value(peerKey{}).(peer)
		if p.ucred == nil {
			writeError(w, http.StatusForbidden, fmt.Sprintf("permission denied: cannot read peer credentials: %v", p.err))
			return
		}
		if p.ucred.Uid != 0 && p.ucred.Uid != self {
			log.Warn("control socket: refused a peer", "uid", p.ucred.Uid, "pid", p.ucred.Pid, "path", r.URL.Path)
			writeError(w, http.StatusForbidden, fmt.Sprintf(
				"permission denied: uid %d may not use the kinit control socket (only root and uid %d may)", p.ucred.Uid, self))
			return
		}
		next.ServeHTTP(w, r)
	})
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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, api.Problem{Error: msg})
}
