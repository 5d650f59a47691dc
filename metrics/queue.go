package metrics

// item is one queued document. seq numbers items in arrival order, so the
// shipper can tell which of the items it sent are still queued after
// Enqueue evicted some while a request was in flight.
type item struct {
	seq      uint64
	doc      *Document
	attempts uint8 // per-item retries after 429/5xx item errors
}

// ring is a fixed-size FIFO that overwrites its oldest item when full. Every
// operation is O(1) except takeFront/putFront, which are O(batch).
type ring struct {
	buf  []item
	head int // index of the oldest item
	n    int
}

func newRing(size int) ring { return ring{buf: make([]item, size)} }

func (r *ring) len() int { return r.n }

// push appends it; when full it evicts and returns the oldest item.
func (r *ring) push(it item) (evicted item, didEvict bool) {
	if r.n == len(r.buf) {
		evicted = r.buf[r.head]
		r.buf[r.head] = it
		r.head = (r.head + 1) % len(r.buf)
		return evicted, true
	}
	r.buf[(r.head+r.n)%len(r.buf)] = it
	r.n++
	return item{}, false
}

// front returns the oldest item.
func (r *ring) front() (item, bool) {
	if r.n == 0 {
		return item{}, false
	}
	return r.buf[r.head], true
}

// popFront removes the oldest item.
func (r *ring) popFront() item {
	it := r.buf[r.head]
	r.buf[r.head] = item{} // let the document be collected
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return it
}

// peek copies up to max oldest items into dst without removing them.
func (r *ring) peek(dst []item, max int) []item {
	dst = dst[:0]
	for i := 0; i < r.n && i < max; i++ {
		dst = append(dst, r.buf[(r.head+i)%len(r.buf)])
	}
	return dst
}

// pushFront puts items back in front of the oldest, keeping their order;
// the caller guarantees room (it only returns items it just popped).
func (r *ring) pushFront(items []item) {
	for i := len(items) - 1; i >= 0; i-- {
		if r.n == len(r.buf) {
			return
		}
		r.head = (r.head - 1 + len(r.buf)) % len(r.buf)
		r.buf[r.head] = items[i]
		r.n++
	}
}
