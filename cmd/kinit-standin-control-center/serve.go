package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ShutdownGrace bounds how long in-flight requests may run after a stop.
const ShutdownGrace = 10 * time.Second

// Listen binds every listener before anything is served, so a port clash
// fails the start instead of leaving a half-up service.
func Listen(listeners []Listener) ([]net.Listener, error) {
	var out []net.Listener
	for _, l := range listeners {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			for _, o := range out {
				o.Close()
			}
			return nil, fmt.Errorf("cannot listen on %s: %w", l.URL, err)
		}
		out = append(out, ln)
	}
	return out, nil
}

// Serve serves h on every listener until ctx is done, then shuts down
// gracefully. It returns nil after a requested stop.
func Serve(ctx context.Context, lns []net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		srv.Close()
		return fmt.Errorf("cannot serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("cannot shut down cleanly: %w", err)
	}
	return nil
}
