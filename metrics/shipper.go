package metrics

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// Why not esutil.BulkIndexer: its Add blocks once its workers' channel is
// full (so a hanging cluster would stall the caller), and a failed flush
// hands items to OnFailure instead of keeping them for a retry. kinit needs
// the opposite: a bounded queue that drops the oldest document, never
// blocks, and keeps undelivered documents through an outage. So batching is
// done here, on the official client's Bulk call, which still gives the
// product check (for Elasticsearch; product.go), auth and TLS handling.

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
	Product     string    `json:"product,omitempty"` // elasticsearch or opensearch, once known
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
}

// Shipper sends documents to Elasticsearch from one goroutine (Run).
type Shipper struct {
	cfg Config
	log *slog.Logger
	es  *elasticsearch.Client
	// plain is es's API on its transport without the product check.
	plain *esapi.API
	red   redactor

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

	// Used by the Run goroutine only (and NewShipper before it).
	api          *esapi.API // es.API or plain, once the product is known; nil before
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
		plain:  esapi.New(es.Transport),
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
	if cfg.Product != ProductAuto {
		s.useProduct(cfg.Product)
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
		if s.api == nil && !s.detectProduct(ctx) {
			s.sleep(ctx, s.nextBackoff())
			continue
		}
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
	for s.api != nil && ctx.Err() == nil && s.queued() > 0 {
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
	res, err := s.api.Indices.PutIndexTemplate(s.cfg.Template, bytes.NewReader(s.cfg.templateBody()),
		s.api.Indices.PutIndexTemplate.WithContext(rctx))
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
