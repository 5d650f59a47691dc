package supervisor

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"regexp"
	"sync/atomic"
)

// readyWake is how a starting service tells its readiness probe to look
// now: a line of its output matching the probe's trigger, or READY=1 sent
// to its NOTIFY_SOCKET (the sd_notify protocol). Either only wakes the
// probe, which still decides. It is armed from the spawn until the probe
// ends, so a ready service's output costs no matching and its socket is
// closed.
type readyWake struct {
	ch     chan struct{} // buffered 1: a wake-up pending is enough
	armed  atomic.Bool
	re     *regexp.Regexp
	notify *net.UnixConn // nil without sd_notify
}

// newReadyWake returns nil when the service has neither a trigger nor
// sd_notify. A notify socket that cannot be made is an error for the
// caller to log: the probe works without it, only later.
func newReadyWake(re *regexp.Regexp, notify bool, name string) (*readyWake, error) {
	if re == nil && !notify {
		return nil, nil
	}
	w := &readyWake{ch: make(chan struct{}, 1), re: re}
	w.armed.Store(true)
	if !notify {
		return w, nil
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return w, fmt.Errorf("sd_notify socket %s: %w", name, err)
	}
	w.notify = c
	go w.readNotify()
	return w, nil
}

// notifyName is an abstract socket (no file to clean up or to own) unique
// to one run of one service of this kinit.
func notifyName(id string, run int) string {
	return fmt.Sprintf("@kinit/%d/notify/%s/%d", os.Getpid(), id, run)
}

// env is the NOTIFY_SOCKET variable for the service, or "".
func (w *readyWake) env() string {
	if w == nil || w.notify == nil {
		return ""
	}
	return "NOTIFY_SOCKET=" + w.notify.LocalAddr().String()
}

// readNotify wakes the probe on a datagram with a READY=1 line; it ends
// when disarm closes the socket.
func (w *readyWake) readNotify() {
	buf := make([]byte, 4096)
	for {
		n, _, err := w.notify.ReadFromUnix(buf)
		if err != nil {
			return
		}
		for _, line := range bytes.Split(buf[:n], []byte{'\n'}) {
			if string(line) == "READY=1" {
				w.poke()
			}
		}
	}
}

// line is called by the output reader for every line of the service.
func (w *readyWake) line(b []byte) {
	if w.re != nil && w.armed.Load() && w.re.Match(b) {
		w.poke()
	}
}

func (w *readyWake) poke() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// channel is the probe's Wake (nil, which never delivers, without one).
func (w *readyWake) channel() <-chan struct{} {
	if w == nil {
		return nil
	}
	return w.ch
}

func (w *readyWake) disarm() {
	if w == nil {
		return
	}
	w.armed.Store(false)
	if w.notify != nil {
		_ = w.notify.Close()
	}
}
