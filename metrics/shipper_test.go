package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	esstandin "github.com/kinit/kinit/standins/elasticsearch"
)

// fastBackoff makes retries quick for the test.
func fastBackoff(t *testing.T) {
	oldBase, oldCap := backoffBase, backoffCap
	backoffBase, backoffCap = 2*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { backoffBase, backoffCap = oldBase, oldCap })
}

func startStandin(t *testing.T, opts esstandin.Options) *esstandin.Server {
	t.Helper()
	s, err := esstandin.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// runShipper starts a shipper's Run and stops it at cleanup.
func runShipper(t *testing.T, cfg Config) (*Shipper, *testkit.Buffer) {
	t.Helper()
	logs := &testkit.Buffer{}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = 5 * time.Millisecond
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	sh, err := NewShipper(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sh.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return sh, logs
}

func testDoc(n int) *Document {
	return eventDoc(Node{Name: "n1.example", Hostname: "n1"}, Event{Action: ActionStarted, Service: "svc", Message: fmt.Sprintf("doc %d", n)})
}

// checkBooks asserts every enqueued document is accounted for once.
func checkBooks(t *testing.T, st State) {
	t.Helper()
	if st.Enqueued != st.Sent+st.Dropped+st.Failed+uint64(st.Queued) {
		t.Errorf("books do not balance: enqueued %d != sent %d + dropped %d + failed %d + queued %d",
			st.Enqueued, st.Sent, st.Dropped, st.Failed, st.Queued)
	}
}

func messages(docs []esstandin.Doc) []string {
	var out []string
	for _, d := range docs {
		m, _ := d.Source["message"].(string)
		out = append(out, m)
	}
	return out
}

func TestShipperDelivers(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		wantIndex  string // with {date} for today
		wantOp     string
		dataStream bool
	}{
		{"daily index", Config{}, "kinit-events-{date}", "index", false},
		{"custom index", Config{Index: "ops-{kind}"}, "ops-events", "index", false},
		{"data stream", Config{DataStream: "kinit-{kind}-default"}, "kinit-events-default", "create", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := startStandin(t, esstandin.Options{})
			tt.cfg.URLs = []string{es.URL()}
			sh, _ := runShipper(t, tt.cfg)
			for i := 0; i < 3; i++ {
				sh.Enqueue(testDoc(i))
			}
			testkit.Eventually(t, "3 documents", func() bool { return len(es.Docs()) == 3 })
			want := strings.ReplaceAll(tt.wantIndex, "{date}", time.Now().UTC().Format("2006.01.02"))
			for i, d := range es.Docs() {
				if d.Index != want || d.Op != tt.wantOp || d.Source["message"] != fmt.Sprintf("doc %d", i) {
					t.Errorf("doc %d: index %q op %q message %v; want %q %q", i, d.Index, d.Op, d.Source["message"], want, tt.wantOp)
				}
			}
			tmpl, ok := es.Templates()["kinit"]
			if !ok || tmpl.DataStream != tt.dataStream {
				t.Fatalf("template = %+v (installed %v), want data stream %v", tmpl, ok, tt.dataStream)
			}
			if ok, _ := globMatch(tmpl.IndexPatterns[0], want); !ok {
				t.Errorf("template pattern %q does not cover %q", tmpl.IndexPatterns[0], want)
			}
			testkit.Eventually(t, "books", func() bool { return sh.State().Sent == 3 })
			st := sh.State()
			if !st.Connected || st.Template != "installed" || st.LastSuccess.IsZero() || st.Queued != 0 {
				t.Errorf("state = %+v", st)
			}
			checkBooks(t, st)
		})
	}
}

// TestEnqueueNeverWaitsOnHangingES runs a fake supervision loop while the
// stand-in holds the shipper's request forever: every Enqueue must return
// (the loop finishes while the request still hangs), the queue stays at its
// bound, drops are counted, and delivery resumes when the stand-in answers.
func TestEnqueueNeverWaitsOnHangingES(t *testing.T) {
	fastBackoff(t)
	es := startStandin(t, esstandin.Options{})
	es.SetFault(esstandin.FaultHang)
	const queue, loops = 100, 10000
	// The product is forced so that the request left hanging is the first bulk, not GET /.
	sh, _ := runShipper(t, Config{URLs: []string{es.URL()}, QueueSize: queue, BatchSize: 10, SkipTemplate: true, Timeout: time.Hour,
		Product: ProductElasticsearch})
	sh.Enqueue(testDoc(0))
	testkit.Eventually(t, "the request to hang", func() bool { return es.Pending() == 1 })

	done := make(chan time.Duration)
	go func() {
		var worst time.Duration
		for i := 1; i <= loops; i++ {
			t0 := time.Now()
			sh.Enqueue(testDoc(i))
			worst = max(worst, time.Since(t0))
		}
		done <- worst
	}()
	var worst time.Duration
	select {
	case worst = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the supervision loop is stuck in Enqueue while Elasticsearch hangs")
	}
	if es.Pending() != 1 {
		t.Fatalf("the hanging request ended early (pending %d)", es.Pending())
	}
	st := sh.State()
	if st.Queued != queue {
		t.Errorf("queued %d, want the bound %d", st.Queued, queue)
	}
	// Doc 0 is in flight: its eviction is settled when the request ends.
	if st.Dropped != loops+1-queue-1 {
		t.Errorf("dropped %d, want %d", st.Dropped, loops+1-queue-1)
	}
	t.Logf("worst Enqueue while hanging: %s", worst)

	es.SetFault(esstandin.FaultNone) // the held request is answered now
	testkit.Eventually(t, "delivery after the hang", func() bool { return sh.State().Queued == 0 && sh.State().Sent == queue+1 })
	st = sh.State()
	checkBooks(t, st)
	got := messages(es.Docs())
	if len(got) != queue+1 || got[0] != "doc 0" || got[1] != fmt.Sprintf("doc %d", loops-queue+1) || got[queue] != fmt.Sprintf("doc %d", loops) {
		t.Errorf("delivered %d docs: first %v, want doc 0 then the newest %d", len(got), got[:min(3, len(got))], queue)
	}
}

// TestOutageBoundedAndResumes: Elasticsearch is down at start, comes up,
// goes down for many sampling intervals, and comes back. The queue never
// exceeds its bound, drops are counted, and what is queued is delivered.
func TestOutageBoundedAndResumes(t *testing.T) {
	fastBackoff(t)
	es := startStandin(t, esstandin.Options{})
	es.Down()
	const queue, perInterval, intervals = 64, 5, 200
	sh, logs := runShipper(t, Config{URLs: []string{es.URL()}, QueueSize: queue, BatchSize: 16})

	n := 0
	enqueueIntervals := func(k int) {
		for i := 0; i < k; i++ {
			for j := 0; j < perInterval; j++ {
				sh.Enqueue(testDoc(n))
				n++
			}
			if q := sh.State().Queued; q > queue {
				t.Fatalf("queue holds %d, above its bound %d", q, queue)
			}
		}
	}
	enqueueIntervals(4) // down at start: 20 documents wait
	testkit.Eventually(t, "a failed attempt", func() bool { return sh.State().LastError != "" })
	if st := sh.State(); st.Connected || st.Queued != 20 || st.Template != "pending" {
		t.Fatalf("while down at start: %+v", st)
	}
	if err := es.Up(); err != nil {
		t.Fatal(err)
	}
	// Booked as sent too: Down can cut the connection between the stand-in
	// storing a batch and its answer reaching the shipper.
	testkit.Eventually(t, "first delivery", func() bool { return len(es.Docs()) == 20 && sh.State().Sent == 20 })

	es.Down()
	enqueueIntervals(intervals)
	// A request that started during the burst may carry documents evicted
	// since, and would deliver them if it reached the stand-in after Up; the
	// one after a failure that ended after the burst carries queued ones.
	burstEnd := time.Now()
	testkit.Eventually(t, "the outage to be noticed", func() bool {
		st := sh.State()
		return !st.Connected && st.LastErrorAt.After(burstEnd)
	})
	st := sh.State()
	if st.Queued != queue {
		t.Errorf("queued %d after %d intervals down, want the bound %d", st.Queued, intervals, queue)
	}
	if err := es.Up(); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "delivery after the outage", func() bool { st = sh.State(); return st.Queued == 0 && st.Connected })
	checkBooks(t, st)
	if st.Sent != 20+queue || st.Dropped != uint64(n-20-queue) || st.Failed != 0 {
		t.Errorf("sent %d dropped %d failed %d; want sent %d dropped %d", st.Sent, st.Dropped, st.Failed, 20+queue, n-20-queue)
	}
	got := messages(es.Docs())
	if last := got[len(got)-1]; last != fmt.Sprintf("doc %d", n-1) {
		t.Errorf("last delivered %q, want the newest doc %d", last, n-1)
	}
	if c := strings.Count(logs.String(), "elasticsearch unavailable"); c != 2 {
		t.Errorf("outage logged %d times, want once per outage (2):\n%s", c, logs.String())
	}
	if c := strings.Count(logs.String(), "reachable again"); c != 2 {
		t.Errorf("recovery logged %d times, want 2", c)
	}
}

// TestTransientFaultsRetried: 429, 5xx and a slow answer beyond the request
// timeout all keep the documents, back off, and deliver once the fault ends,
// on the Elasticsearch path and on the OpenSearch one (product forced, so the
// fault meets the first bulk request rather than GET /).
func TestTransientFaultsRetried(t *testing.T) {
	for _, product := range []Product{ProductElasticsearch, ProductOpenSearch} {
		t.Run(product.String(), func(t *testing.T) { testTransientFaults(t, product) })
	}
}

func testTransientFaults(t *testing.T, product Product) {
	tests := []struct {
		fault esstandin.Fault
		err   string
	}{
		{esstandin.Fault429, "http 429: es_rejected_execution_exception"},
		{esstandin.Fault5xx, "http 503: cluster_block_exception"},
		{esstandin.FaultHang, "transport"},
	}
	for _, tt := range tests {
		t.Run(tt.err, func(t *testing.T) {
			fastBackoff(t)
			es := startStandin(t, esstandin.Options{OpenSearch: product == ProductOpenSearch})
			es.SetFault(tt.fault)
			sh, _ := runShipper(t, Config{URLs: []string{es.URL()}, SkipTemplate: true, Timeout: 50 * time.Millisecond, Product: product})
			for i := 0; i < 5; i++ {
				sh.Enqueue(testDoc(i))
			}
			testkit.Eventually(t, "a failed attempt", func() bool { return strings.HasPrefix(sh.State().LastError, tt.err) })
			testkit.Eventually(t, "a retry", func() bool { return len(es.Requests()) >= 2 || es.Pending() > 0 })
			if n := len(es.Docs()); n != 0 {
				t.Fatalf("%d docs stored during the fault", n)
			}
			es.SetFault(esstandin.FaultNone)
			testkit.Eventually(t, "delivery", func() bool { return sh.State().Sent == 5 })
			st := sh.State()
			checkBooks(t, st)
			if len(es.Docs()) != 5 || st.Dropped != 0 || st.Failed != 0 {
				t.Errorf("stored %d, state %+v", len(es.Docs()), st)
			}
		})
	}
}

// TestItemErrors: per-item 400s are counted as failed and logged once per
// kind; per-item 429s are retried and delivered.
func TestItemErrors(t *testing.T) {
	fastBackoff(t)
	es := startStandin(t, esstandin.Options{})
	es.RejectItems(esstandin.Reject{
		Match:  func(_ string, src map[string]any) bool { return strings.HasPrefix(src["message"].(string), "bad") },
		Status: 400, Type: "mapper_parsing_exception", Reason: "failed to parse field [kinit.x]",
	})
	es.RejectItems(esstandin.Reject{Status: 429, Type: "es_rejected_execution_exception", Reason: "write queue full", Times: 2})
	sh, logs := runShipper(t, Config{URLs: []string{es.URL()}, SkipTemplate: true, BatchSize: 4})
	for i := 0; i < 3; i++ { // three requests, each with one bad document
		sh.Enqueue(testDoc(i))
		d := testDoc(i)
		d.Message = fmt.Sprintf("bad %d", i)
		sh.Enqueue(d)
		testkit.Eventually(t, "the pair to be settled", func() bool { st := sh.State(); return st.Queued == 0 })
	}
	st := sh.State()
	checkBooks(t, st)
	if st.Failed != 3 || st.Sent != 3 || st.Retries != 2 {
		t.Errorf("failed %d sent %d retries %d; want 3, 3, 2", st.Failed, st.Sent, st.Retries)
	}
	if !strings.Contains(st.LastError, "mapper_parsing_exception") && !strings.Contains(st.LastError, "es_rejected_execution_exception") {
		t.Errorf("last error %q", st.LastError)
	}
	if c := strings.Count(logs.String(), "type=mapper_parsing_exception"); c != 1 {
		t.Errorf("mapper_parsing_exception logged %d times, want once:\n%s", c, logs.String())
	}
	if got := messages(es.Docs()); strings.Join(got, ",") != "doc 0,doc 1,doc 2" {
		t.Errorf("stored %v", got)
	}
}

func TestTemplateForbiddenIsNotFatal(t *testing.T) {
	es := startStandin(t, esstandin.Options{})
	es.DenyTemplates(true)
	sh, logs := runShipper(t, Config{URLs: []string{es.URL()}})
	for i := 0; i < 2; i++ {
		sh.Enqueue(testDoc(i))
		testkit.Eventually(t, "delivery", func() bool { return len(es.Docs()) == i+1 })
	}
	if st := sh.State(); st.Template != "forbidden" || !st.Connected {
		t.Errorf("state %+v", st)
	}
	if c := strings.Count(logs.String(), "not permitted to install"); c != 1 {
		t.Errorf("403 logged %d times, want once", c)
	}
}

func globMatch(pattern, name string) (bool, error) {
	// Index patterns use only '*'.
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false, nil
	}
	name = name[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(name, p)
		if i < 0 {
			return false, nil
		}
		name = name[i+len(p):]
	}
	return parts[len(parts)-1] == "" || name == "", nil
}

// TestShutdownWhileHanging: stopping kinit while Elasticsearch hangs ends the
// shipper within its shutdown flush bound instead of waiting on the request.
func TestShutdownWhileHanging(t *testing.T) {
	es := startStandin(t, esstandin.Options{})
	es.SetFault(esstandin.FaultHang)
	sh, err := NewShipper(Config{URLs: []string{es.URL()}, SkipTemplate: true, Timeout: time.Hour,
		FlushInterval: time.Millisecond, ShutdownFlush: 20 * time.Millisecond}, slog.New(slog.NewTextHandler(&testkit.Buffer{}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sh.Run(ctx); close(done) }()
	sh.Enqueue(testDoc(1))
	testkit.Eventually(t, "the request to hang", func() bool { return es.Pending() == 1 })
	cancel()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return while Elasticsearch hangs")
	}
	if st := sh.State(); st.Queued != 1 || st.Sent != 0 {
		t.Errorf("state after shutdown %+v", st)
	}
}

// TestEnqueueAllSendsAtOnce: a sampling pass is sent without waiting for
// FlushInterval (an hour here).
func TestEnqueueAllSendsAtOnce(t *testing.T) {
	es := startStandin(t, esstandin.Options{})
	sh, _ := runShipper(t, Config{URLs: []string{es.URL()}, SkipTemplate: true, FlushInterval: time.Hour})
	sh.EnqueueAll([]*Document{testDoc(1), testDoc(2)})
	testkit.Eventually(t, "the pass to be sent", func() bool { return len(es.Docs()) == 2 })
	sh.EnqueueAll([]*Document{testDoc(3)})
	testkit.Eventually(t, "the next pass to be sent", func() bool { return len(es.Docs()) == 3 })
}
