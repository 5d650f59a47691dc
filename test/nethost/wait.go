package nethost

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// WaitTCP waits until a TCP connection to addr succeeds, ctx ends, or exited
// is closed (pass a Proc's Done so a crashed server fails fast; nil to
// ignore). It dials from the test process through DialContext when c is
// not nil, so host names of the cluster work.
func WaitTCP(ctx context.Context, c *Cluster, addr string, exited <-chan struct{}) error {
	dial := (&net.Dialer{Timeout: time.Second}).DialContext
	if c != nil {
		dial = c.DialContext
	}
	var last error
	for {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := dial(dctx, "tcp", addr)
		cancel()
		if err == nil {
			conn.Close()
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("cannot connect to %s: %w (last error: %v)", addr, ctx.Err(), last)
		case <-exited:
			return errors.New("process exited before " + addr + " accepted connections")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
