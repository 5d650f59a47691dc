package supervisor

import (
	"regexp"
	"sync/atomic"
)

// readyWake is how a starting service tells its readiness probe to look
// now: a line of its output matching the probe's trigger. It is armed
// from the spawn until the probe ends, so a ready service's output costs
// no matching.
type readyWake struct {
	ch    chan struct{} // buffered 1: a wake-up pending is enough
	armed atomic.Bool
	re    *regexp.Regexp
}

// newReadyWake returns nil when the service has no trigger.
func newReadyWake(re *regexp.Regexp) *readyWake {
	if re == nil {
		return nil
	}
	w := &readyWake{ch: make(chan struct{}, 1), re: re}
	w.armed.Store(true)
	return w
}

// line is called by the output reader for every line of the service.
func (w *readyWake) line(b []byte) {
	if w.armed.Load() && w.re.Match(b) {
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
	if w != nil {
		w.armed.Store(false)
	}
}
