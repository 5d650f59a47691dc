package supervisor

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// LogLine is one line of a service's output as its ring keeps it.
type LogLine struct {
	// Seq orders lines across services: the order the sink saw them in.
	Seq     uint64
	Time    time.Time
	Service string
	Stream  string // "stdout" or "stderr"
	Line    string
}

// lineOverhead is what a kept line costs beyond its bytes (its LogLine and
// its slot in the ring's slice), so that a ring of empty lines is bounded
// too.
const lineOverhead = 128

func lineCost(l *LogLine) int { return len(l.Line) + lineOverhead }

// ring holds a service's most recent lines, at most max bytes of them
// counted by lineCost. A line longer than the whole ring is cut to fit.
type ring struct {
	lines []LogLine // oldest first
	bytes int
	max   int
}

func (r *ring) add(l LogLine) {
	if lineCost(&l) > r.max {
		l.Line = l.Line[:r.max-lineOverhead]
	}
	r.lines = append(r.lines, l)
	r.bytes += lineCost(&l)
	drop := 0
	for r.bytes > r.max {
		r.bytes -= lineCost(&r.lines[drop])
		drop++
	}
	if drop > 0 {
		// The dropped slots keep no strings alive; append moves the live
		// ones to a new array once the old one is used up.
		clear(r.lines[:drop])
		r.lines = r.lines[drop:]
	}
}

// last returns (a copy of) the newest n lines, all of them when n < 0.
func (r *ring) last(n int) []LogLine {
	from := 0
	if n >= 0 && n < len(r.lines) {
		from = len(r.lines) - n
	}
	return append([]LogLine(nil), r.lines[from:]...)
}

// logStore keeps every service's ring and the `kinit logs -f` followers.
// The pipe readers add to it through the sink; its mutex is the one owner
// of the rings and the follower set, and nothing under it waits on a
// reader: a follower whose queue is full is dropped instead.
type logStore struct {
	mu      sync.Mutex
	max     int
	seq     uint64
	rings   map[string]*ring
	follows map[*LogFollow]struct{}
	closed  bool
}

func newLogStore(max int) *logStore {
	return &logStore{max: max, rings: map[string]*ring{}, follows: map[*LogFollow]struct{}{}}
}

// declare makes an empty ring for a service, so that asking for the logs
// of a service that printed nothing yet is not "unknown service".
func (ls *logStore) declare(service string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.rings[service] == nil {
		ls.rings[service] = &ring{max: ls.max}
	}
}

func (ls *logStore) known(service string) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.rings[service] != nil
}

// add keeps a line and returns its time, taken under the store's lock:
// lines read by different services' goroutines then carry times in the
// order of their Seq, and a merged view never goes back in time.
func (ls *logStore) add(service, stream string, line []byte) time.Time {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	t := time.Now()
	r := ls.rings[service]
	if r == nil {
		r = &ring{max: ls.max}
		ls.rings[service] = r
	}
	ls.seq++
	l := LogLine{Seq: ls.seq, Time: t, Service: service, Stream: stream, Line: string(line)}
	r.add(l)
	for f := range ls.follows {
		if (f.service == "" || f.service == service) && !f.offer(l) {
			f.dropped.Store(true)
			ls.end(f)
		}
	}
	return t
}

// tail returns the newest n lines of service, or of every service merged
// in the order they came (service "").
func (ls *logStore) tail(service string, n int) []LogLine {
	if service != "" {
		if r := ls.rings[service]; r != nil {
			return r.last(n)
		}
		return nil
	}
	var all []LogLine
	for _, r := range ls.rings {
		all = append(all, r.last(n)...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	if n >= 0 && len(all) > n {
		all = all[len(all)-n:]
	}
	return all
}

// follow returns the newest n lines and a follower of the lines after
// them, taken together so that none is lost or repeated between the two.
func (ls *logStore) follow(service string, n int) ([]LogLine, *LogFollow) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	f := &LogFollow{service: service, ch: make(chan LogLine, followBuffer), max: int64(followBufferBytes),
		gone: make(chan struct{}), store: ls}
	if ls.closed {
		close(f.gone)
	} else {
		ls.follows[f] = struct{}{}
	}
	return ls.tail(service, n), f
}

func (ls *logStore) snapshot(service string, n int) []LogLine {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.tail(service, n)
}

// end removes a follower and closes its gone channel; ls.mu is held.
func (ls *logStore) end(f *LogFollow) {
	if _, ok := ls.follows[f]; ok {
		delete(ls.follows, f)
		close(f.gone)
	}
}

// finish ends every follower: kinit is stopping.
func (ls *logStore) finish() {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.closed = true
	for f := range ls.follows {
		ls.end(f)
	}
}

// Errors of LogFollow.Next.
var (
	ErrFollowDropped = errors.New("reader too slow: kinit dropped it")
	ErrFollowEnded   = errors.New("kinit stopped")
)

// LogFollow receives the lines of one service (or all) as they come. Its
// queue is bounded in lines and bytes; when a line does not fit, the
// follower is dropped (Next returns ErrFollowDropped once the queue is
// read), so a reader that stalls costs the sink nothing.
type LogFollow struct {
	service string
	ch      chan LogLine
	queued  atomic.Int64 // bytes in ch
	max     int64
	gone    chan struct{}
	dropped atomic.Bool
	store   *logStore
}

// offer queues a line without waiting; false means it did not fit.
func (f *LogFollow) offer(l LogLine) bool {
	c := int64(lineCost(&l))
	if f.queued.Load()+c > f.max {
		return false
	}
	select {
	case f.ch <- l:
		f.queued.Add(c)
		return true
	default:
		return false
	}
}

// Next returns the next line, waiting for it until ctx ends or the
// follower is ended (dropped, or kinit stopping); lines queued before the
// end are returned first.
func (f *LogFollow) Next(ctx context.Context) (LogLine, error) {
	if l, ok := f.TryNext(); ok {
		return l, nil
	}
	select {
	case l := <-f.ch:
		f.queued.Add(-int64(lineCost(&l)))
		return l, nil
	case <-f.gone:
		if l, ok := f.TryNext(); ok {
			return l, nil
		}
		if f.dropped.Load() {
			return LogLine{}, ErrFollowDropped
		}
		return LogLine{}, ErrFollowEnded
	case <-ctx.Done():
		return LogLine{}, ctx.Err()
	}
}

// TryNext returns a queued line if there is one.
func (f *LogFollow) TryNext() (LogLine, bool) {
	select {
	case l := <-f.ch:
		f.queued.Add(-int64(lineCost(&l)))
		return l, true
	default:
		return LogLine{}, false
	}
}

// Close stops the follower.
func (f *LogFollow) Close() {
	f.store.mu.Lock()
	defer f.store.mu.Unlock()
	f.store.end(f)
}
