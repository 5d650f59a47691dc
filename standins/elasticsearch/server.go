// Package elasticsearch is an Elasticsearch STAND-IN: a small HTTP server that
// follows the documented wire contract of the parts kinit uses (product info,
// index templates, the bulk API) strictly enough that the official Go client
// accepts it, and that can be told to fail in each way a real cluster does.
// It is not Elasticsearch: it does no searching and keeps documents in memory
// so tests can assert their fields.
//
// Import it under an alias, since the official client's package has the same
// name:
//
//	esstandin "github.com/kinit/kinit/standins/elasticsearch"
package elasticsearch

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Fault is how the stand-in misbehaves for every request while it is set.
type Fault int

const (
	FaultNone Fault = iota
	FaultHang       // accept the request and never answer (until released or the client gives up)
	FaultSlow       // answer after the delay set with SetDelay
	Fault429        // answer 429 es_rejected_execution_exception
	Fault5xx        // answer 503 unavailable / cluster_block_exception
)

// Options configure a stand-in.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0 (a free port).
	Addr string
	// TLS, when set, serves HTTPS with this config (it needs Certificates).
	TLS *tls.Config
	// APIKey is the encoded key ("base64(id:key)") clients must send as
	// "Authorization: ApiKey …"; Username/Password require basic auth. With
	// neither, no authentication is required.
	APIKey             string
	Username, Password string
	// Version reported by GET /; default 8.15.0.
	Version string
	// OpenSearch makes GET / answer as OpenSearch 2.19 does (version.distribution
	// "opensearch") and drops X-Elastic-Product from every answer, so the
	// faults below can be aimed at kinit's OpenSearch path too. The rest of
	// the wire contract kinit uses is the same in both.
	OpenSearch bool
}

// Server is a running stand-in.
type Server struct {
	opts Options

	mu        sync.Mutex
	addr      string
	srv       *http.Server
	up        bool
	fault     Fault
	delay     time.Duration
	release   chan struct{} // closed to end hanging requests
	rejects   []*Reject
	denyTmpl  bool
	docs      []Doc
	ids       map[string]map[string]int // index -> _id -> position in docs
	seq       int64
	templates map[string]Template
	requests  []Request
	pending   int
}

// Doc is one stored document.
type Doc struct {
	Index  string // the name the client wrote to (the data stream or index)
	ID     string
	Op     string // index or create
	Source map[string]any
}

// Template is one stored index template.
type Template struct {
	Name          string
	IndexPatterns []string
	DataStream    bool
	Body          []byte
}

// Request records what a client sent, for assertions on headers.
type Request struct {
	Method, Path  string
	Authorization string
	ContentType   string
	Status        int
}

// Reject makes matching bulk items fail with a per-item error, as Elasticsearch
// does for a mapping conflict (400 mapper_parsing_exception) or a full write
// queue (429 es_rejected_execution_exception).
type Reject struct {
	// Match selects the items; nil matches every item.
	Match  func(index string, source map[string]any) bool
	Status int
	Type   string
	Reason string
	// Times is how many items to reject; 0 means every matching item.
	Times int
	used  int
}

// Start listens and serves until Close.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Version == "" && opts.OpenSearch {
		opts.Version = "2.19.6"
	}
	if opts.Version == "" {
		opts.Version = "8.15.0"
	}
	s := &Server{
		opts:      opts,
		release:   make(chan struct{}),
		ids:       map[string]map[string]int{},
		templates: map[string]Template{},
	}
	if err := s.listen(opts.Addr); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	if s.opts.TLS != nil {
		ln = tls.NewListener(ln, s.opts.TLS)
	}
	// Handshake failures are what TLS tests provoke; they are not news.
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.srv = srv
	s.up = true
	s.mu.Unlock()
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Down/Close
	return nil
}

// URL is the base URL clients use (stable across Down/Up).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	scheme := "http"
	if s.opts.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + s.addr
}

// Down closes the listener and every open connection, as a crashed or
// stopped cluster would: clients get "connection refused".
func (s *Server) Down() {
	s.mu.Lock()
	srv := s.srv
	s.up = false
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Up listens again on the same address after Down.
func (s *Server) Up() error {
	s.mu.Lock()
	if s.up {
		s.mu.Unlock()
		return nil
	}
	addr := s.addr
	s.mu.Unlock()
	var err error
	// The port can linger briefly after close; retry for a while.
	for i := 0; i < 50; i++ {
		if err = s.listen(addr); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Close stops the server for good and releases hanging requests.
func (s *Server) Close() {
	s.SetFault(FaultNone)
	s.Down()
}

// SetFault switches the failure mode; setting any mode releases requests
// held by FaultHang.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
	close(s.release)
	s.release = make(chan struct{})
}

// SetDelay sets the answer delay of FaultSlow.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// RejectItems adds a per-item rejection rule; rules are tried in order.
func (s *Server) RejectItems(r Reject) {
	s.mu.Lock()
	s.rejects = append(s.rejects, &r)
	s.mu.Unlock()
}

// ClearRejects removes every rejection rule.
func (s *Server) ClearRejects() {
	s.mu.Lock()
	s.rejects = nil
	s.mu.Unlock()
}

// DenyTemplates makes PUT /_index_template answer 403, as for a user without
// the manage_index_templates privilege.
func (s *Server) DenyTemplates(deny bool) {
	s.mu.Lock()
	s.denyTmpl = deny
	s.mu.Unlock()
}

// Docs returns a copy of every stored document, in arrival order.
func (s *Server) Docs() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Doc(nil), s.docs...)
}

// Templates returns the stored index templates by name.
func (s *Server) Templates() map[string]Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Template, len(s.templates))
	for k, v := range s.templates {
		out[k] = v
	}
	return out
}

// Pending is the number of requests being handled right now (for example
// held by FaultHang).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// Requests returns the requests received so far (the last 1000).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= 1000 {
		s.requests = append(s.requests[:0], s.requests[1:]...)
	}
	s.requests = append(s.requests, r)
}

// hold applies the current fault before a request is handled; it returns
// false when the request has been answered (or abandoned) by the fault.
func (s *Server) hold(w http.ResponseWriter, r *http.Request) (int, bool) {
	s.mu.Lock()
	fault, delay, release := s.fault, s.delay, s.release
	s.mu.Unlock()
	switch fault {
	case FaultHang:
		select {
		case <-r.Context().Done():
			return 0, false
		case <-release:
			return s.hold(w, r)
		}
	case FaultSlow:
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return 0, false
		case <-t.C:
		case <-release:
		}
	case Fault429:
		writeError(w, http.StatusTooManyRequests, "es_rejected_execution_exception",
			"rejected execution of coordinating operation [stand-in fault 429]")
		return http.StatusTooManyRequests, false
	case Fault5xx:
		writeError(w, http.StatusServiceUnavailable, "cluster_block_exception",
			"blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];")
		return http.StatusServiceUnavailable, false
	}
	return 0, true
}
