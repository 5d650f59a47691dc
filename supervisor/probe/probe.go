// Package probe implements the readiness checks of kinit: tcp, zookeeper,
// kafka, http and exec. Each is a Prober whose Check makes one attempt and
// returns nil when the target is ready; Until repeats a check with a
// growing pause. Probes hold no state between attempts and start no
// goroutine that outlives Check, so an idle kinit costs nothing.
package probe

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// Prober checks one target once.
type Prober interface {
	// Check returns nil when the target is ready. It honours ctx, which
	// carries the attempt's timeout.
	Check(ctx context.Context) error
	// String names the target for status lines ("zk-2:2181").
	String() string
}

// Error is a failed check: Target Reason, for a status line such as
// "zk-2:2181 not answering", with the underlying error for logs.
type Error struct {
	Target string
	Reason string
	Err    error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Target + " " + e.Reason
	}
	return e.Target + " " + e.Reason + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Summary is the short form of a probe error for status lines.
func Summary(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Target + " " + pe.Reason
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func fail(target, reason string, err error) error {
	return &Error{Target: target, Reason: reason, Err: err}
}

// dialFailure names the common ways a connection attempt fails, refused
// credentials and TLS handshakes first (securityFailure).
func dialFailure(target string, err error) error {
	if sf := securityFailure(target, err); sf != nil {
		return sf
	}
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return fail(target, "not resolvable", err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fail(target, "not answering", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return fail(target, "not answering (timeout)", err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fail(target, "unreachable", err)
	}
	return fail(target, "not answering", err)
}

// String forms for probes built from several targets.
func joinTargets(prefix string, targets []string) string {
	s := prefix
	for i, t := range targets {
		if i > 0 {
			s += ","
		}
		s += t
	}
	return s
}
