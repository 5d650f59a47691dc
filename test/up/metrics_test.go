package up

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	esstandin "github.com/kinit/kinit/standins/elasticsearch"
	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// TestMetrics is issue 6's "Done when", scaled down: `kinit up` on the abc
// config ships metrics and lifecycle events with the ECS fields to the
// Elasticsearch stand-in (in this process) every 200ms; then the stand-in
// fails for many intervals, and supervision goes on regardless:
//   - overflow (connections refused until more documents were dropped than
//     the queue holds): kill -9 of c during the outage is restarted,
//     `kinit status` answers and shows the shipper not connected with its
//     queue at most KINIT_ES_QUEUE_SIZE and the overflow counted as dropped;
//     once the stand-in is back, shipping resumes;
//   - outage (refused, with room in the queue): the events of c's restart
//     during the outage are delivered once the stand-in is back;
//   - hang (requests accepted, never answered): the same, while the
//     shipper's request hangs instead.
//
// (With overflow, which outage documents survive depends on when the
// shipper's backed-off retry comes after the stand-in is back, so that run
// checks the bound and the resumption, and the others the delivery.)
func TestMetrics(t *testing.T) {
	t.Run("overflow", func(t *testing.T) {
		t.Parallel()
		m := startMetrics(t, 20)
		m.checkShipping()
		m.overflow()
	})
	t.Run("outage", func(t *testing.T) {
		t.Parallel()
		m := startMetrics(t, 1000)
		m.checkShipping()
		m.outage()
	})
	t.Run("hang", func(t *testing.T) {
		t.Parallel()
		m := startMetrics(t, 1000)
		m.checkShipping()
		m.hang()
	})
}

// metricsRun is a kinit (PID 1) shipping to its own stand-in.
type metricsRun struct {
	t     *testing.T
	n     *node
	r     *run
	es    *esstandin.Server
	queue int
}

var serviceNames = map[string]string{"a": "Service A", "b": "Service B", "c": "Service C"}

func startMetrics(t *testing.T, queue int) *metricsRun {
	es, err := esstandin.Start(esstandin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(es.Close)
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	n.env["KINIT_ES_URLS"] = es.URL()
	n.env["KINIT_METRICS_INTERVAL"] = "200ms"
	n.env["KINIT_ES_QUEUE_SIZE"] = strconv.Itoa(queue)
	m := &metricsRun{t: t, n: n, r: n.start(asPID1), es: es, queue: queue}
	n.waitStatus("all ready", allReady())
	return m
}

// checkShipping: after a kill -9 of b, the stand-in holds metric samples
// of every service and the container, and the lifecycle events of the start
// and of b's restart, every document with the ECS and kinit.* fields.
func (m *metricsRun) checkShipping() {
	t := m.t
	t.Helper()
	b0 := svc(m.n.status(), "b")
	m.r.kill(b0.Pid, unix.SIGKILL)
	st := m.n.waitStatus("b restarted", func(st *client.Status) bool {
		b := svc(st, "b")
		return b.Restarts == 1 && b.State == "ready"
	})
	b1 := svc(st, "b").Pid

	var want []docWant
	for _, id := range []string{"a", "b", "c"} {
		want = append(want,
			docWant{"started " + id, isEvent(id, "started", "success")},
			docWant{"ready " + id, isEvent(id, "ready", "success")},
			docWant{"sample of " + id, func(d doc) bool {
				return d.str("event.dataset") == "kinit.service" && d.str("service.id") == id && d.num("process.pid") > 0 &&
					d.num("process.memory.rss.bytes") > 0 && d.num("kinit.service.processes") >= 1 && d.has("process.cpu.pct")
			}})
	}
	want = append(want,
		docWant{"b exited on SIGKILL", func(d doc) bool {
			return isEvent("b", "exited", "failure")(d) && d.str("kinit.event.signal") == "SIGKILL" &&
				d.num("process.pid") == float64(b0.Pid)
		}},
		docWant{"b restarting", func(d doc) bool {
			return isEvent("b", "restarting", "unknown")(d) && d.num("kinit.event.backoff_ms") > 0
		}},
		docWant{"b started again", func(d doc) bool {
			return isEvent("b", "started", "success")(d) && d.num("kinit.event.restarts") == 1 &&
				d.num("process.pid") == float64(b1)
		}},
		docWant{"sample of b after its restart", func(d doc) bool {
			return d.str("event.dataset") == "kinit.service" && d.str("service.id") == "b" &&
				d.num("kinit.service.restarts") == 1 && d.num("process.pid") == float64(b1)
		}},
		docWant{"container sample", func(d doc) bool {
			return d.str("event.dataset") == "kinit.container" && d.has("container.memory.usage") &&
				d.num("kinit.cgroup.memory.limit_bytes") > 0
		}},
		docWant{"config rendered", func(d doc) bool {
			return d.str("event.action") == "config-rendered" &&
				strings.Contains(fmt.Sprint(d.get("kinit.event.files")), filepath.Join(m.n.etcDir, "a.conf"))
		}},
	)
	docs := m.waitDocs(time.Time{}, want...)
	hostname, _ := os.Hostname()
	for _, d := range docs {
		m.checkCommon(d, hostname)
	}
}

// checkCommon: the fields every document carries, and those of its kind.
func (m *metricsRun) checkCommon(d doc, hostname string) {
	t := m.t
	t.Helper()
	if _, err := time.Parse(time.RFC3339Nano, d.str("@timestamp")); err != nil {
		t.Errorf("@timestamp %q: %v", d.get("@timestamp"), err)
	}
	for path, want := range map[string]string{
		"host.name": "abc-1.test", "host.hostname": hostname, "kinit.role": "node", "kinit.node_id": "1",
		"kinit.config_id": "default", "kinit.cluster": "abc", "event.module": "kinit",
	} {
		if got := d.str(path); got != want {
			t.Errorf("%s = %q, want %q in %v", path, got, want, d)
		}
	}
	switch d.str("event.dataset") {
	case "kinit.service":
		id := d.str("service.id")
		if d.str("service.name") != serviceNames[id] || d.str("event.kind") != "metric" {
			t.Errorf("service sample: %v", d)
		}
		// c has a kind (schema-registry); a and b have none.
		if wantType := map[string]string{"c": "schema-registry"}[id]; d.str("service.type") != wantType {
			t.Errorf("service.type of %s = %q, want %q", id, d.str("service.type"), wantType)
		}
		// Only the fields: a sample can catch a process while it execs or
		// after it died unreaped, with no memory (waitDocs wants a sample
		// of each service with memory).
		if d.num("process.pid") > 0 &&
			(!d.has("process.cpu.pct") || !d.has("process.memory.rss.bytes") || !d.has("kinit.service.processes")) {
			t.Errorf("service sample without process figures: %v", d)
		}
	case "kinit.lifecycle":
		if d.str("event.kind") != "event" || d.str("event.action") == "" || d.str("event.outcome") == "" {
			t.Errorf("lifecycle event: %v", d)
		}
		if id := d.str("service.id"); id != "" && d.str("service.name") != serviceNames[id] {
			t.Errorf("service.name of %s's event = %q, want %q (as in its samples)", id, d.str("service.name"), serviceNames[id])
		}
	case "kinit.container":
	default:
		t.Errorf("unknown dataset: %v", d)
	}
}

// overflow: the stand-in refuses connections for many intervals.
func (m *metricsRun) overflow() {
	t := m.t
	t.Helper()
	m.es.Down()
	st := m.n.waitStatus("the shipper to notice", func(st *client.Status) bool {
		return m.shipper(st)["connected"] == "false"
	})
	m.r.waitLog("kinit: elasticsearch unavailable; queueing documents (oldest dropped when full)")
	c0 := svc(st, "c")
	m.r.kill(c0.Pid, unix.SIGKILL)
	m.n.waitStatus("c restarted during the outage", func(st *client.Status) bool {
		c := svc(st, "c")
		return c.Restarts == 1 && c.State == "ready"
	})
	// Down for many intervals: until twice as many documents were dropped
	// as the queue holds (checking the bound at every look).
	st = m.n.waitStatus("the queue to overflow", func(st *client.Status) bool {
		f := m.shipper(st)
		return f["connected"] == "false" && m.count(f["dropped"]) >= 2*m.queue
	})
	t.Logf("shipper during the outage: %v", m.shipper(st))
	if f := m.shipper(st); f["queued"] != fmt.Sprintf("%d/%d", m.queue, m.queue) || !strings.Contains(f["last_error"], "transport") {
		t.Errorf("shipper during the outage: %v", f)
	}
	out := m.n.cli("status")
	if !strings.Contains(out.stdout, "metrics: connected=false ") || !strings.Contains(out.stdout, "dropped=") {
		t.Errorf("kinit status does not show the shipper's state:\n%s", out.stdout)
	}
	sent := m.count(m.shipper(st)["sent"])

	back := time.Now()
	if err := m.es.Up(); err != nil {
		t.Fatal(err)
	}
	st = m.n.waitStatus("shipping to resume", func(st *client.Status) bool {
		f := m.shipper(st)
		return f["connected"] == "true" && m.count(f["sent"]) > sent
	})
	t.Logf("shipper after the outage: %v", m.shipper(st))
	m.r.waitLog("kinit: elasticsearch reachable again; delivering queued documents")
	m.waitDocs(back, docWant{"a sample taken after the outage", func(d doc) bool {
		return d.str("event.dataset") == "kinit.service" && d.str("service.id") == "c" && d.num("kinit.service.restarts") == 1
	}})
	m.stop()
}

// outage: the stand-in refuses connections while c is killed and
// restarted; the queue has room, so the events of that are delivered once
// the stand-in is back.
func (m *metricsRun) outage() {
	t := m.t
	t.Helper()
	m.es.Down()
	m.n.waitStatus("the shipper to notice", func(st *client.Status) bool {
		return m.shipper(st)["connected"] == "false"
	})
	since := time.Now()
	c0 := m.restartC("during the outage")
	if err := m.es.Up(); err != nil {
		t.Fatal(err)
	}
	m.waitRestartEvents(since, c0)
	m.drained()
	m.stop()
}

// hang: the stand-in accepts requests and holds them; kinit's shipper
// waits in its own goroutine while supervision goes on.
func (m *metricsRun) hang() {
	t := m.t
	t.Helper()
	m.es.SetFault(esstandin.FaultHang)
	waitUntil(t, "a bulk request to hang", func() bool { return m.es.Pending() > 0 })
	since := time.Now()
	c0 := m.restartC("while the shipper hangs")
	// By now any request that was under way when the fault was set has
	// ended; the one pending is held.
	if m.es.Pending() == 0 {
		t.Fatal("no request held by the stand-in")
	}
	held := len(m.es.Docs())
	// A few more intervals pile up in the queue (bounded, nothing dropped).
	st := m.n.waitStatus("documents to queue up", func(st *client.Status) bool {
		q, _ := m.queued(m.shipper(st))
		return q >= 12
	})
	if f := m.shipper(st); f["dropped"] != "0" {
		t.Errorf("dropped while the queue had room: %v", f)
	}
	if got := len(m.es.Docs()); got != held {
		t.Errorf("the stand-in stored %d documents while hanging", got-held)
	}
	m.es.SetFault(esstandin.FaultNone) // releases the held request
	m.waitRestartEvents(since, c0)
	m.drained()
	m.stop()
}

// restartC kills c and waits for kinit to have restarted it.
func (m *metricsRun) restartC(when string) client.Service {
	m.t.Helper()
	c0 := svc(m.n.status(), "c")
	m.r.kill(c0.Pid, unix.SIGKILL)
	m.n.waitStatus("c restarted "+when, func(st *client.Status) bool {
		c := svc(st, "c")
		return c.Restarts == 1 && c.State == "ready"
	})
	return c0
}

// waitRestartEvents waits for the events of c's restart (c0 was killed).
func (m *metricsRun) waitRestartEvents(since time.Time, c0 client.Service) {
	m.t.Helper()
	m.waitDocs(since,
		docWant{"c exited on SIGKILL", func(d doc) bool {
			return isEvent("c", "exited", "failure")(d) && d.str("kinit.event.signal") == "SIGKILL" &&
				d.num("process.pid") == float64(c0.Pid)
		}},
		docWant{"c restarting", isEvent("c", "restarting", "unknown")},
		docWant{"c started again", func(d doc) bool {
			return isEvent("c", "started", "success")(d) && d.num("kinit.event.restarts") == 1
		}},
		docWant{"c ready again", isEvent("c", "ready", "success")},
	)
}

// drained: connected again, the backlog delivered, nothing dropped.
func (m *metricsRun) drained() {
	m.t.Helper()
	st := m.n.waitStatus("the queue to drain", func(st *client.Status) bool {
		f := m.shipper(st)
		q, _ := m.queued(f)
		return q < 12 && f["connected"] == "true"
	})
	if f := m.shipper(st); f["dropped"] != "0" {
		m.t.Errorf("shipper dropped documents while the queue had room: %v", f)
	}
}

// stop ends kinit cleanly (its last delivery attempt included).
func (m *metricsRun) stop() {
	m.t.Helper()
	m.r.signal(unix.SIGTERM)
	if code := m.r.wait(); code != 0 {
		m.t.Fatalf("kinit exited %d after SIGTERM, want 0", code)
	}
}

// shipper is the metrics section of `kinit status`.
func (m *metricsRun) shipper(st *client.Status) map[string]string {
	m.t.Helper()
	f := section(st, "metrics")
	if f == nil {
		m.t.Fatalf("kinit status has no metrics section: %+v", st.Sections)
	}
	q, size := m.queued(f)
	if q > size || size != m.queue {
		m.t.Fatalf("queued %s: beyond the bound of %d", f["queued"], m.queue)
	}
	return f
}

// queued parses "N/SIZE".
func (m *metricsRun) queued(f map[string]string) (int, int) {
	n, size, _ := strings.Cut(f["queued"], "/")
	return m.count(n), m.count(size)
}

func (m *metricsRun) count(s string) int {
	m.t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		m.t.Fatalf("not a count: %q", s)
	}
	return n
}

// docWant is a document the stand-in must receive.
type docWant struct {
	what  string
	match func(doc) bool
}

// waitDocs waits until, among the documents stamped at or after since,
// each want is matched, and returns those documents.
func (m *metricsRun) waitDocs(since time.Time, want ...docWant) []doc {
	m.t.Helper()
	var docs []doc
	var missing []string
	end := time.Now().Add(deadline)
	for {
		docs, missing = docs[:0], missing[:0]
		for _, d := range m.es.Docs() {
			ts, _ := time.Parse(time.RFC3339Nano, doc(d.Source).str("@timestamp"))
			if !ts.Before(since) {
				docs = append(docs, doc(d.Source))
			}
		}
		for _, w := range want {
			found := false
			for _, d := range docs {
				if w.match(d) {
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, w.what)
			}
		}
		if len(missing) == 0 {
			return docs
		}
		if time.Now().After(end) {
			m.t.Fatalf("the stand-in never received: %s\n(%d documents since %s)", strings.Join(missing, "; "), len(docs), since)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func isEvent(id, action, outcome string) func(doc) bool {
	return func(d doc) bool {
		return d.str("event.dataset") == "kinit.lifecycle" && d.str("service.id") == id &&
			d.str("event.action") == action && d.str("event.outcome") == outcome
	}
}

// doc is a stored document's source; paths are dotted ("process.cpu.pct").
type doc map[string]any

func (d doc) get(path string) any {
	var cur any = map[string]any(d)
	for _, k := range strings.Split(path, ".") {
		mp, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = mp[k]; !ok {
			return nil
		}
	}
	return cur
}

func (d doc) has(path string) bool { return d.get(path) != nil }

func (d doc) str(path string) string {
	s, _ := d.get(path).(string)
	return s
}

func (d doc) num(path string) float64 {
	f, _ := d.get(path).(float64)
	return f
}
