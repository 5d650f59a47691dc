package supervisor

import (
	"reflect"
	"sync"
)

// Watch follows the supervisor for a streaming reader (the control
// socket's GET /v1/events): Changed fires after the published state has
// changed (one pending signal, so bursts coalesce), Events carries the
// lifecycle events. Neither ever makes the loop wait: a watch whose event
// queue is full is dropped (Gone closes, Dropped is true). Gone also
// closes when Run has returned.
type Watch struct {
	changed chan struct{}
	events  chan Event
	gone    chan struct{}
	dropped bool // set before gone is closed
	hub     *hub
}

// Changed fires when the state Snapshot reads has changed.
func (w *Watch) Changed() <-chan struct{} { return w.changed }

// Events carries lifecycle events in order.
func (w *Watch) Events() <-chan Event { return w.events }

// Gone is closed when the watch ended: dropped, or kinit stopped.
func (w *Watch) Gone() <-chan struct{} { return w.gone }

// Dropped says, once Gone is closed, whether the watch was dropped for
// falling behind (rather than ended by kinit's stop).
func (w *Watch) Dropped() bool {
	<-w.gone
	return w.dropped
}

// Close ends the watch.
func (w *Watch) Close() {
	w.hub.mu.Lock()
	defer w.hub.mu.Unlock()
	w.hub.end(w, false)
}

// hub holds the watches; its mutex is their one owner. The loop calls
// changed and event; nothing under the mutex blocks.
type hub struct {
	mu      sync.Mutex
	watches map[*Watch]struct{}
	closed  bool
	last    *published // what the watches were last told about
}

// Watch starts a watch; Close it when done.
func (s *Supervisor) Watch() *Watch {
	h := &s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	w := &Watch{changed: make(chan struct{}, 1), events: make(chan Event, followBuffer), gone: make(chan struct{}), hub: h}
	if h.closed {
		close(w.gone)
		return w
	}
	if h.watches == nil {
		h.watches = map[*Watch]struct{}{}
	}
	h.watches[w] = struct{}{}
	return w
}

// changed tells the watches about p if it differs from what they were
// last told about. The progress counters of probes and waits are left out:
// they move on every attempt, and a reader sees them in Snapshot anyway.
func (h *hub) changed(p *published) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.watches) == 0 {
		h.last = nil
		return
	}
	if h.last != nil && samePublished(h.last, p) {
		return
	}
	h.last = p
	for w := range h.watches {
		select {
		case w.changed <- struct{}{}:
		default: // one is pending already
		}
	}
}

func samePublished(a, b *published) bool {
	if a.phase != b.phase || len(a.services) != len(b.services) {
		return false
	}
	for i := range a.services {
		if !reflect.DeepEqual(a.services[i].status, b.services[i].status) {
			return false
		}
	}
	return true
}

func (h *hub) event(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.watches {
		select {
		case w.events <- e:
		default:
			h.end(w, true)
		}
	}
}

// finish ends every watch: Run has returned.
func (h *hub) finish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for w := range h.watches {
		h.end(w, false)
	}
}

// end removes w; h.mu is held.
func (h *hub) end(w *Watch, dropped bool) {
	if _, ok := h.watches[w]; ok {
		delete(h.watches, w)
		w.dropped = dropped
		close(w.gone)
	}
}
