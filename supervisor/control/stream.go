package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control/api"
)

// The streaming endpoints, GET /v1/logs and GET /v1/events (wire types in
// package api). Whatever a client does, the supervisor loop and the pipe
// readers never wait for it: they hand lines and events to a bounded queue
// per client (supervisor.LogFollow, supervisor.Watch) that drops the client
// when full. Each write here has its own deadline, so a client that stops
// reading is cut off after streamWriteTimeout, and its connection's slot
// (limit.go) comes back. At most half the slots stream at once, so status
// and health are always answered.

// streamWriteTimeout bounds each write of a stream.
var streamWriteTimeout = 5 * time.Second

// statusGap is the least time between two statuses of GET /v1/events:
// a burst of changes becomes one status at its end.
var statusGap = 100 * time.Millisecond

// progressEvery is how often GET /v1/events sends a status while a service
// waits or starts: its waiting_on line (attempts, ages) moves without any
// change the supervisor publishes.
var progressEvery = time.Second

// defaultLogLines is what GET /v1/logs sends without n.
const defaultLogLines = 100

// Streams is what the streaming endpoints need of the backend;
// *supervisor.Supervisor implements it. A backend without it answers 501.
type Streams interface {
	Watch() *supervisor.Watch
	Logs(service string, n int) ([]supervisor.LogLine, error)
	FollowLogs(service string, n int) ([]supervisor.LogLine, *supervisor.LogFollow, error)
}

func addStreams(mux *http.ServeMux, b Backend) {
	st, ok := b.(Streams)
	if !ok {
		return
	}
	slots := make(chan struct{}, max(1, connLimit()/2))
	mux.HandleFunc("GET /v1/logs", func(w http.ResponseWriter, r *http.Request) { serveLogs(w, r, st, slots) })
	mux.HandleFunc("GET /v1/events", func(w http.ResponseWriter, r *http.Request) { serveEvents(w, r, b, st, slots) })
}

// takeSlot reserves one of the streams' slots, or answers 503.
func takeSlot(w http.ResponseWriter, slots chan struct{}) (release func(), ok bool) {
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, true
	default:
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("too many open streams (%d); try again when one has ended", cap(slots)))
		return nil, false
	}
}

func serveLogs(w http.ResponseWriter, r *http.Request, st Streams, slots chan struct{}) {
	q := r.URL.Query()
	service := q.Get("service")
	n := defaultLogLines
	if v := q.Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("n=%q: want a number of lines, 0 or more", v))
			return
		}
	}
	follow := false
	switch v := q.Get("follow"); v {
	case "", "0", "false":
	case "1", "true":
		follow = true
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("follow=%q: want 1 or 0", v))
		return
	}
	unknown := func() {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown service %q: no service of this node has that id", service))
	}
	if !follow {
		lines, err := st.Logs(service, n)
		if errors.Is(err, supervisor.ErrUnknownService) {
			unknown()
			return
		}
		out := newNDJSON(w, writeTimeout)
		for _, l := range lines {
			out.add(wireLine(l))
		}
		_ = out.flush()
		return
	}
	release, ok := takeSlot(w, slots)
	if !ok {
		return
	}
	defer release()
	lines, f, err := st.FollowLogs(service, n)
	if errors.Is(err, supervisor.ErrUnknownService) {
		unknown()
		return
	}
	defer f.Close()
	out := newNDJSON(w, streamWriteTimeout)
	for _, l := range lines {
		out.add(wireLine(l))
	}
	if out.flush() != nil {
		return
	}
	for {
		l, err := f.Next(r.Context())
		if err != nil {
			return
		}
		out.add(wireLine(l))
		// Whatever else is queued goes in the same write.
		for out.buf.Len() < 64<<10 {
			l, ok := f.TryNext()
			if !ok {
				break
			}
			out.add(wireLine(l))
		}
		if out.flush() != nil {
			return
		}
	}
}

func wireLine(l supervisor.LogLine) api.LogLine {
	return api.LogLine{Time: l.Time.UTC(), Service: l.Service, Stream: l.Stream, Line: l.Line}
}

func serveEvents(w http.ResponseWriter, r *http.Request, b Backend, st Streams, slots chan struct{}) {
	release, ok := takeSlot(w, slots)
	if !ok {
		return
	}
	defer release()
	watch := st.Watch()
	defer watch.Close()
	out := newNDJSON(w, streamWriteTimeout)
	waiting := false // the last status sent has a waiting_on line
	status := func() {
		s := toWire(b.Snapshot(), time.Now())
		out.add(api.Message{Status: &s})
		waiting = false
		for _, svc := range s.Services {
			waiting = waiting || svc.WaitingOn != ""
		}
	}
	events := func() {
		for {
			select {
			case e := <-watch.Events():
				out.add(api.Message{Event: wireEvent(e)})
			default:
				return
			}
		}
	}
	status()
	if out.flush() != nil {
		return
	}
	last := time.Now()
	var later <-chan time.Time
	progress := time.NewTicker(progressEvery)
	defer progress.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case e := <-watch.Events():
			out.add(api.Message{Event: wireEvent(e)})
			events()
		case <-watch.Changed():
			if wait := statusGap - time.Since(last); wait > 0 {
				if later == nil {
					later = time.After(wait)
				}
				continue
			}
			status()
			last, later = time.Now(), nil
		case <-later:
			status()
			last, later = time.Now(), nil
		case <-progress.C:
			if !waiting || time.Since(last) < progressEvery/2 {
				continue
			}
			status()
			last = time.Now()
		case <-watch.Gone():
			events()
			if !watch.Dropped() {
				status() // the last: kinit stopped
			}
			_ = out.flush()
			return
		}
		if out.flush() != nil {
			return
		}
	}
}

func wireEvent(e supervisor.Event) *api.Event {
	return &api.Event{
		Time: e.Time.UTC(), Service: e.Service, Kind: string(e.Kind), Pid: e.Pid, ExitCode: e.ExitCode,
		Signal: e.Signal, Clean: e.Clean, BackoffSeconds: e.Backoff.Seconds(), Restarts: e.Restarts, Message: e.Message,
	}
}

// ndjson writes a stream of JSON lines: add buffers, flush writes under a
// deadline of its own and pushes the bytes to the client.
type ndjson struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	buf     bytes.Buffer
	enc     *json.Encoder
	timeout time.Duration
}

func newNDJSON(w http.ResponseWriter, timeout time.Duration) *ndjson {
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would otherwise end the request's context
	// (and so the stream) 10 s after it came in.
	_ = rc.SetReadDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	n := &ndjson{w: w, rc: rc, timeout: timeout}
	n.enc = json.NewEncoder(&n.buf)
	return n
}

func (n *ndjson) add(v any) { _ = n.enc.Encode(v) }

func (n *ndjson) flush() error {
	defer func() {
		n.buf.Reset()
		if n.buf.Cap() > 1<<20 {
			n.buf = bytes.Buffer{} // a burst's buffer is not kept
			n.enc = json.NewEncoder(&n.buf)
		}
	}()
	if err := n.rc.SetWriteDeadline(time.Now().Add(n.timeout)); err != nil {
		return err
	}
	if _, err := n.w.Write(n.buf.Bytes()); err != nil {
		return err
	}
	return n.rc.Flush()
}
