package supervisor

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Stdout sits between kinit (its own log and the services' lines) and the
// real stdout. Write queues a record and returns at once, so neither the
// event loop nor a pipe reader can be held by a reader that falls behind or
// by a stdout nobody reads any more; one goroutine does the real writes.
// When the queue is over its bound the oldest records go; a record whose
// write fails (closed pipe) is gone too. Both are counted, and the next
// record that gets through is preceded by a marker saying how many were
// lost.
type Stdout struct {
	w      io.Writer
	json   bool
	max    int // bytes queued at most
	mu     sync.Mutex
	cond   *sync.Cond
	queue  [][]byte
	bytes  int
	lost   uint64 // since the last marker
	total  uint64 // ever
	busy   bool   // the writer holds a record
	closed bool
}

// NewStdout starts the writer for w. format (LogText or LogJSON) decides
// the marker's shape, so a JSON log stays one object per line.
func NewStdout(w io.Writer, format string) *Stdout {
	o := &Stdout{w: w, json: format == LogJSON, max: stdoutQueueBytes}
	o.cond = sync.NewCond(&o.mu)
	go o.run()
	return o
}

// Write queues one record (slog and the sink write whole lines). It never
// blocks on the real stdout and never fails.
func (o *Stdout) Write(p []byte) (int, error) {
	rec := append([]byte(nil), p...)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		o.lost++
		o.total++
		return len(p), nil
	}
	o.queue = append(o.queue, rec)
	o.bytes += len(rec)
	for o.bytes > o.max && len(o.queue) > 1 {
		o.bytes -= len(o.queue[0])
		o.queue[0] = nil
		o.queue = o.queue[1:]
		o.lost++
		o.total++
	}
	o.cond.Signal()
	return len(p), nil
}

// Dropped is how many records never reached stdout.
func (o *Stdout) Dropped() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.total
}

// Close lets the writer finish what is queued for at most wait, then drops
// the rest: at the end of a stop the deadline matters more than the tail of
// the log. Closing again returns at once: the first Close was the one
// bounded by the stop deadline, and a writer stuck on a stdout nobody reads
// must not hold the exit a second time.
func (o *Stdout) Close(wait time.Duration) {
	end := time.Now().Add(wait)
	for {
		o.mu.Lock()
		done := len(o.queue) == 0 && !o.busy || o.closed
		if done || time.Now().After(end) {
			o.closed = true
			o.cond.Signal()
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}

func (o *Stdout) run() {
	o.mu.Lock()
	for {
		for len(o.queue) == 0 && !o.closed {
			o.cond.Wait()
		}
		if o.closed {
			o.mu.Unlock()
			return
		}
		rec := o.queue[0]
		o.queue[0] = nil
		o.queue = o.queue[1:]
		o.bytes -= len(rec)
		lost := o.lost
		o.lost = 0
		o.busy = true
		o.mu.Unlock()

		markerFailed, recFailed := false, false
		if lost > 0 {
			_, err := o.w.Write(o.marker(lost))
			markerFailed = err != nil
		}
		_, err := o.w.Write(rec)
		recFailed = err != nil

		o.mu.Lock()
		o.busy = false
		if markerFailed {
			// Those lines are still unannounced: the next marker owes them.
			o.lost += lost
		}
		if recFailed {
			o.lost++
			o.total++
		}
	}
}

func (o *Stdout) marker(n uint64) []byte {
	if o.json {
		return fmt.Appendf(nil, `{"time":%q,"source":"kinit","level":"WARN","msg":"output lines dropped","dropped":%d}`+"\n",
			time.Now().UTC().Format(time.RFC3339Nano), n)
	}
	return fmt.Appendf(nil, "kinit | %d lines dropped (stdout was full or closed)\n", n)
}
