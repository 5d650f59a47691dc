package metrics

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
)

// Why not esutil.BulkIndexer: its Add blocks once its workers' channel is
// full (so a hanging cluster would stall the caller), and a failed flush
// hands items to OnFailure instead of keeping them for a retry. kinit needs
// the opposite: a bounded queue that drops the oldest document, never
// blocks, and keeps undelivered documents through an outage. So batching is
// done here, on the official client's Bulk call, which still gives the
// product check, auth and TLS handling.

// Retry backoff: doubled per consecutive failure from base up to cap, then
// jittered into [d/2, d] so many kinits do not hammer a recovering cluster
// in step. Variables so tests can shorten them.
var (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 30 * time.Second
)

// maxItemAttempts bounds retries of one document that Elasticsearch keeps
// rejecting with 429/5xx item errors, so it cannot occupy the queue forever.
const maxItemAttempts = 5

// maxLoggedKinds bounds the set of error kinds remembered for log-once.
const maxLoggedKinds = 128

// State is the shipper's snapshot, for `kinit status`. Dropped documents
// were evicted from the full queue; Failed ones were refused by
// Elasticsearch for good (or could not be encoded).
type State struct {
	Enabled     bool      `json:"enabled"`
	Connected   bool      `json:"connected"`
	Target      string    `json:"target,omitempty"`
	Queued      int       `json:"queued"`
	QueueSize   int       `json:"queue_size"`
	Enqueued    uint64    `json:"enqueued"`
	Sent        uint64    `json:"sent"`
	Dropped     uint64    `json:"dropped"`
	Failed      uint64    `json:"failed"`
	Retries     uint64    `json:"retries"`
	Template    string    `json:"template,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
}

// Shipper sends documents to Elasticsearch from one goroutine (Run).
type Shipper struct {
	cfg Config
	log *slog.Logger
	es  *elasticsearch.Client
	red redactor

	mu         sync.Mutex
	q          ring
	nextSeq    uint64
	inflightHi uint64 // last seq of the request in flight; 0 when none
	st         State
	logged     map[string]bool
	down       bool // an outage has been logged and not yet its end
	wake       chan struct{}
	flushNow   atomic.Bool
	// idPrefix makes document ids unique across kinit restarts; the queue
	// sequence number makes them unique within one.
	idPrefix string

	// Used by the Run goroutine only.
	batch        []item
	body         bytes.Buffer
	failures     int
	templateDone bool
}

// NewShipper validates the config and builds the client; it starts nothing.
func NewShipper(cfg Config, log *slog.Logger) (*Shipper, error) {
	if !cfg.Enabled() {
		return nil, fmt.Errorf("cannot ship metrics: no elasticsearch url")
	}
	cfg.URLs = append([]string(nil), cfg.URLs...)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	es, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	s := &Shipper{
		cfg:    cfg,
		log:    log,
		es:     es,
		red:    newRedactor(cfg),
		q:      newRing(cfg.QueueSize),
		logged: map[string]bool{},
		wake:   make(chan struct{}, 1),
	}
	var rnd [8]byte
	crand.Read(rnd[:])
	s.idPrefix = hex.EncodeToString(rnd[:]) + "-"
	s.st.Enabled = true
	s.st.QueueSize = cfg.QueueSize
	s.st.Target = cfg.Index
	if cfg.DataStream != "" {
		s.st.Target = cfg.DataStream
	}
	s.st.Template = "pending"
	if cfg.SkipTemplate {
		s.st.Template = "skipped"
		s.templateDone = true
	}
	return s, nil
}

// Enqueue adds a document. It never blocks and does O(1) work: when the
// queue is full the oldest document is dropped and counted.
func (s *Shipper) Enqueue(d *Document) {
	s.mu.Lock()
	s.push(d)
	s.mu.Unlock()
	s.signal()
}

// EnqueueAll adds one sampling pass's documents (O(1) each) and asks for
// them to be sent at once rather than after FlushInterval: one wake-up of
// the shipper per pass instead of one per document plus a timer.
func (s *Shipper) EnqueueAll(docs []*Document) {
	s.mu.Lock()
	for _, d := range docs {
		s.push(d)
	}
	s.mu.Unlock()
	s.flushNow.Store(true)
	s.signal()
}

// push queues d; the caller holds s.mu.
func (s *Shipper) push(d *Document) {
	s.nextSeq++
	ev, evicted := s.q.push(item{seq: s.nextSeq, doc: d})
	s.st.Enqueued++
	// An evicted document that is part of the request in flight is settled
	// when that request ends (it may yet be delivered).
	if evicted && ev.seq > s.inflightHi {
		s.st.Dropped++
	}
}

func (s *Shipper) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// State returns a snapshot; it never waits on the network.
func (s *Shipper) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Queued = s.q.len()
	return st
}

// Run ships until ctx is done, then makes one bounded last attempt to
// deliver what is queued.
func (s *Shipper) Run(ctx context.Context) {
	defer s.finalFlush()
	for ctx.Err() == nil {
		if !s.templateDone {
			if !s.installTemplate(ctx) {
				s.sleep(ctx, s.nextBackoff())
				continue
			}
		}
		if s.queued() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			}
			s.linger(ctx)
			continue
		}
		if s.sendOnce(ctx) {
			s.failures = 0
		} else {
			s.sleep(ctx, s.nextBackoff())
		}
	}
}

// linger gives the documents of one sampling pass time to arrive, so they
// go out in one request.
func (s *Shipper) linger(ctx context.Context) {
	if s.flushNow.Swap(false) || s.queued() >= s.cfg.BatchSize {
		return
	}
	t := time.NewTimer(s.cfg.FlushInterval)
	defer t.Stop()
	for s.queued() < s.cfg.BatchSize && !s.flushNow.Swap(false) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-s.wake:
		}
	}
}

func (s *Shipper) finalFlush() {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownFlush)
	defer cancel()
	for ctx.Err() == nil && s.queued() > 0 {
		if !s.sendOnce(ctx) {
			return
		}
	}
}

func (s *Shipper) queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.q.len()
}

func (s *Shipper) nextBackoff() time.Duration {
	d := backoffBase << min(s.failures, 20)
	if d > backoffCap || d <= 0 {
		d = backoffCap
	}
	s.failures++
	return d/2 + rand.N(d/2+1)
}

func (s *Shipper) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// installTemplate puts the index template. It reports false only for
// failures worth retrying (unreachable, 429, 5xx); a 403 or another refusal
// is logged once and shipping goes on without the template.
func (s *Shipper) installTemplate(ctx context.Context) bool {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := s.es.Indices.PutIndexTemplate(s.cfg.Template, bytes.NewReader(s.cfg.templateBody()),
		s.es.Indices.PutIndexTemplate.WithContext(rctx))
	if err != nil {
		s.requestFailed("transport", err.Error())
		return false
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode/100 == 2:
		s.requestOK()
		s.setTemplate("installed")
		s.log.Info("kinit: elasticsearch index template installed", "template", s.cfg.Template)
	case res.StatusCode == http.StatusForbidden:
		s.requestOK()
		s.setTemplate("forbidden")
		s.logOnce("template:403", slog.LevelWarn,
			"kinit: not permitted to install the elasticsearch index template; shipping without it",
			"template", s.cfg.Template, "error", s.red.clean(errorSummary(body)))
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		s.requestFailed(fmt.Sprintf("http %d", res.StatusCode), errorSummary(body))
		return false
	default:
		s.requestOK()
		s.setTemplate(fmt.Sprintf("failed: http %d", res.StatusCode))
		s.logOnce(fmt.Sprintf("template:%d", res.StatusCode), slog.LevelWarn,
			"kinit: elasticsearch refused the index template; shipping without it",
			"status", res.StatusCode, "error", s.red.clean(errorSummary(body)))
	}
	s.templateDone = true
	return true
}

func (s *Shipper) setTemplate(v string) {
	s.mu.Lock()
	s.st.Template = v
	s.mu.Unlock()
}

type outcome uint8

const (
	outSent outcome = iota
	outFailed
	outRetry
)

// sendOnce sends up to BatchSize of the oldest documents in one bulk
// request and settles each. It reports false when the caller should back
// off: the request failed, or some items must be retried.
func (s *Shipper) sendOnce(ctx context.Context) bool {
	s.mu.Lock()
	s.batch = s.q.peek(s.batch, s.cfg.BatchSize)
	if len(s.batch) == 0 {
		s.mu.Unlock()
		return true
	}
	s.inflightHi = s.batch[len(s.batch)-1].seq
	s.mu.Unlock()

	outcomes := make([]outcome, len(s.batch))
	sentIdx := s.encode(outcomes)
	if len(sentIdx) == 0 {
		s.settle(outcomes, false)
		return true
	}

	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := s.es.Bulk(bytes.NewReader(s.body.Bytes()), s.es.Bulk.WithContext(rctx),
		s.es.Bulk.WithHeader(map[string]string{"Content-Type": "application/x-ndjson"}))
	if err != nil {
		s.requestFailed("transport", err.Error())
		s.settle(nil, true)
		return false
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		s.requestFailed(fmt.Sprintf("http %d", res.StatusCode), errorSummary(body))
		// A 400 or 413 for the whole request will not heal by resending it.
		if res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusRequestEntityTooLarge {
			for _, i := range sentIdx {
				outcomes[i] = outFailed
			}
			s.settle(outcomes, false)
			return false
		}
		s.settle(nil, true)
		return false
	}
	var br bulkResponse
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&br); err != nil || len(br.Items) != len(sentIdx) {
		s.requestFailed("protocol", fmt.Sprintf("cannot read bulk response: %v (%d items for %d documents)", err, len(br.Items), len(sentIdx)))
		for _, i := range sentIdx {
			outcomes[i] = outFailed
		}
		s.settle(outcomes, false)
		return false
	}
	s.requestOK()
	retry := false
	for k, i := range sentIdx {
		r := br.Items[k].result()
		switch {
		case r.Status/100 == 2:
			outcomes[i] = outSent
		case r.Status == http.StatusConflict && s.cfg.DataStream != "":
			outcomes[i] = outSent // created by an earlier attempt whose answer was lost
		case r.Status == http.StatusTooManyRequests || r.Status >= 500:
			outcomes[i] = outRetry
			retry = true
			s.itemError(r)
		default:
			outcomes[i] = outFailed
			s.itemError(r)
		}
	}
	s.settle(outcomes, false)
	return !retry
}

// encode writes the NDJSON body for the batch; documents that cannot be
// encoded are marked failed. It returns the batch indexes that were written.
func (s *Shipper) encode(outcomes []outcome) []int {
	s.body.Reset()
	op := "index"
	if s.cfg.DataStream != "" {
		op = "create" // data streams accept only create
	}
	sent := make([]int, 0, len(s.batch))
	for i, it := range s.batch {
		src, err := json.Marshal(it.doc)
		if err != nil {
			outcomes[i] = outFailed
			s.logOnce("encode", slog.LevelError, "kinit: cannot encode a metrics document", "error", err.Error())
			continue
		}
		// A fixed _id per document makes a resend after a timed-out request
		// (which Elasticsearch may have executed) overwrite, or conflict on
		// create, instead of duplicating.
		action, _ := json.Marshal(map[string]map[string]string{op: {
			"_index": s.cfg.indexFor(it.doc.kind(), it.doc.Timestamp),
			"_id":    s.idPrefix + strconv.FormatUint(it.seq, 36),
		}})
		s.body.Write(action)
		s.body.WriteByte('\n')
		s.body.Write(src)
		s.body.WriteByte('\n')
		sent = append(sent, i)
	}
	return sent
}

// settle books the outcome of the batch in flight. With whole set, the
// request failed as a whole: queued items stay for the next attempt.
// Items evicted by Enqueue while the request was in flight are booked here:
// sent or failed as Elasticsearch answered, dropped otherwise.
func (s *Shipper) settle(outcomes []outcome, whole bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.inflightHi = 0 }()
	// Evictions take the oldest first, so the evicted items of the batch are
	// a prefix of it and the rest sit at the front of the queue.
	evicted := len(s.batch)
	if f, ok := s.q.front(); ok {
		evicted = 0
		for evicted < len(s.batch) && s.batch[evicted].seq < f.seq {
			evicted++
		}
	}
	if whole {
		s.st.Dropped += uint64(evicted)
		return
	}
	for range len(s.batch) - evicted {
		s.q.popFront()
	}
	var again []item
	for i, it := range s.batch {
		switch outcomes[i] {
		case outSent:
			s.st.Sent++
		case outFailed:
			s.st.Failed++
		case outRetry:
			switch {
			case i < evicted:
				s.st.Dropped++
			case it.attempts+1 >= maxItemAttempts:
				s.st.Failed++
			default:
				it.attempts++
				s.st.Retries++
				again = append(again, it)
			}
		}
	}
	s.q.pushFront(again)
}

// requestOK records a successful exchange and ends a logged outage.
func (s *Shipper) requestOK() {
	s.mu.Lock()
	wasDown := s.down
	s.down = false
	s.st.Connected = true
	s.st.LastSuccess = time.Now()
	queued, dropped := s.q.len(), s.st.Dropped
	s.mu.Unlock()
	if wasDown {
		s.log.Info("kinit: elasticsearch reachable again; delivering queued documents",
			"queued", queued, "dropped_total", dropped)
	}
}

// requestFailed records a failed exchange. The first failure of an outage
// is logged, and each new kind of failure once; the rest only count.
func (s *Shipper) requestFailed(kind, detail string) {
	detail = s.red.clean(detail)
	s.mu.Lock()
	first := !s.down
	s.down = true
	s.st.Connected = false
	s.st.LastError = kind + ": " + detail
	s.st.LastErrorAt = time.Now()
	queued := s.q.len()
	s.mu.Unlock()
	if first {
		s.log.Warn("kinit: elasticsearch unavailable; queueing documents (oldest dropped when full)",
			"error", kind+": "+detail, "queued", queued, "queue_size", s.cfg.QueueSize)
		s.markLogged("request:" + kind)
		return
	}
	s.logOnce("request:"+kind, slog.LevelWarn, "kinit: elasticsearch request failed", "error", kind+": "+detail)
}

func (s *Shipper) itemError(r bulkItem) {
	typ := "unknown"
	reason := ""
	if r.Error != nil {
		typ, reason = r.Error.Type, r.Error.Reason
	}
	if len(reason) > 300 {
		reason = reason[:300] + "…"
	}
	s.mu.Lock()
	s.st.LastError = fmt.Sprintf("item %d %s: %s", r.Status, typ, s.red.clean(reason))
	s.st.LastErrorAt = time.Now()
	s.mu.Unlock()
	s.logOnce(fmt.Sprintf("item:%d:%s", r.Status, typ), slog.LevelWarn,
		"kinit: elasticsearch rejected a document (further rejections of this kind are only counted)",
		"status", r.Status, "type", typ, "reason", s.red.clean(reason))
}

func (s *Shipper) markLogged(kind string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logged[kind] || len(s.logged) >= maxLoggedKinds {
		return false
	}
	s.logged[kind] = true
	return true
}

func (s *Shipper) logOnce(kind string, level slog.Level, msg string, args ...any) {
	if s.markLogged(kind) {
		s.log.Log(context.Background(), level, msg, args...)
	}
}

// bulkResponse is the part of the bulk API answer the shipper reads: one
// item per action, keyed by the action name, in request order.
type bulkResponse struct {
	Errors bool        `json:"errors"`
	Items  []bulkEntry `json:"items"`
}

// bulkEntry is {"index": {…}} or {"create": {…}}.
type bulkEntry map[string]bulkItem

func (e bulkEntry) result() bulkItem {
	for _, v := range e {
		return v
	}
	return bulkItem{}
}

type bulkItem struct {
	Status int `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// errorSummary extracts "type: reason" from an Elasticsearch error body.
func errorSummary(body []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Error) > 0 {
		var obj struct{ Type, Reason string }
		if json.Unmarshal(e.Error, &obj) == nil && obj.Type != "" {
			return obj.Type + ": " + obj.Reason
		}
		var str string
		if json.Unmarshal(e.Error, &str) == nil {
			return str
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
