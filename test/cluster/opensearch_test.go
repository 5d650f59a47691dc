package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/test/nethost"
	"github.com/kinit/kinit/test/opensearch"
)

// The port the node serves HTTP on. Its host is a network namespace of its
// own, so the port is free by construction.
const openSearchPort = 9200

// TestOpenSearch: the standalone node ships its metrics and lifecycle events
// to a real OpenSearch 2.19 (an embedded single node on a host of its own,
// named by URL like a remote cluster): kinit tells OpenSearch from
// Elasticsearch by itself, its index template is accepted as sent, the
// written indices' mappings are exactly the template's (no field was added
// by dynamic mapping), a search finds the broker's samples with the ECS
// fields, a kill -9 of the broker's JVM is found as exited (SIGKILL),
// restarting and ready events in that order, and no document was refused
// (kinit's own books, its log, and the server's count).
func TestOpenSearch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	home := opensearch.Home(t)
	c := nethost.New(t, nethost.Config{Names: []string{"kafka-1", "search-1"}})
	h, sh := c.Hosts[0], c.Hosts[1]
	mark := milestones(t)

	sh.Start(t, nethost.Command{Args: opensearch.Args(home, sh.Addr.String(), openSearchPort, filepath.Join(sh.Dir, "opensearch")),
		Log: filepath.Join(sh.Dir, "opensearch.log")})
	search := opensearch.Client{URL: "http://" + sh.HostPort(openSearchPort)}
	dist, version, err := search.WaitUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dist != "opensearch" {
		t.Fatalf("GET / names distribution %q version %s; want opensearch", dist, version)
	}
	mark("opensearch " + version + " up")

	n := newNode(t, c, h, "KINIT_CONFIG_ID=standalone", "KINIT_ROLE=broker",
		fmt.Sprintf("KINIT_ES_URLS=http://%s:%d", sh.FQDN, openSearchPort), "KINIT_METRICS_INTERVAL=1s")
	n.start(t)
	st := n.waitReady(ctx, t)
	mark("all four services ready")

	// Kafka's own numbers (ZooKeeper mode): the broker's JVM through its
	// agent, the lagging group's lag through the elected broker, the
	// agent closed to everyone but the node, and the broker's numbers at
	// a glance in kinit status.
	lag := lagWorkload(ctx, t, c, h.HostPort(9092), "lagged", 1)
	waitKafkaMetrics(ctx, t, search, h.FQDN, "kafka-broker", lag)
	agentClosed(t, h, 8779)
	eventually(ctx, t, "the ZooKeeper document", func() error {
		hits, err := search.Search(ctx, "kinit-metrics-*", terms(map[string]string{
			"event.dataset": "zookeeper.mntr", "zookeeper.mntr.server_state": "standalone"}), 1)
		if err == nil && (len(hits) == 0 || field(hits[0].Source, "zookeeper.mntr.znode_count") == nil) {
			err = fmt.Errorf("%d found: %v", len(hits), hits)
		}
		return err
	})
	n.waitStatus(ctx, t, "the broker's numbers in kinit status", func(s *status) bool {
		return s.service("kafka-broker").Note == "URP 0, offline 0, active controller"
	})
	mark("kafka metrics shipped")

	// The template, as OpenSearch holds it.
	var tmpl struct {
		IndexTemplates []struct {
			Name          string `json:"name"`
			IndexTemplate struct {
				IndexPatterns []string `json:"index_patterns"`
				Template      struct {
					Mappings map[string]any `json:"mappings"`
				} `json:"template"`
			} `json:"index_template"`
		} `json:"index_templates"`
	}
	eventually(ctx, t, "the index template installed", func() error {
		_, err := search.Do(ctx, http.MethodGet, "/_index_template/kinit", nil, &tmpl)
		return err
	})
	if len(tmpl.IndexTemplates) != 1 || !slices.Equal(tmpl.IndexTemplates[0].IndexTemplate.IndexPatterns, []string{"kinit-*-*"}) {
		t.Fatalf("index templates %+v; want kinit for kinit-*-*", tmpl.IndexTemplates)
	}
	want := flatMapping(tmpl.IndexTemplates[0].IndexTemplate.Template.Mappings)
	if want["@timestamp"] != "type=date" || want["process.memory.rss.bytes"] != "type=long" {
		t.Fatalf("template mappings lack kinit's fields: %v", want)
	}

	// The broker's samples, with the ECS fields.
	broker := st.service("kafka-broker")
	var samples []opensearch.Hit
	eventually(ctx, t, "three samples of the broker", func() error {
		samples, err = search.Search(ctx, "kinit-metrics-*", terms(map[string]string{
			"event.dataset": "kinit.service", "service.id": "kafka-broker", "process.pid": strconv.Itoa(broker.Pid)}), 3)
		if err == nil && len(samples) < 3 {
			err = fmt.Errorf("%d found", len(samples))
		}
		return err
	})
	// The first sample of a tree has no CPU baseline, hence no event.duration.
	if field(samples[0].Source, "event.duration") == nil {
		t.Errorf("the newest sample lacks event.duration: %v", samples[0].Source)
	}
	var maxRSS float64
	for _, s := range samples {
		src := s.Source
		for _, f := range []string{"@timestamp", "ecs.version", "service.name", "kinit.service.state", "process.cpu.pct"} {
			if field(src, f) == nil {
				t.Errorf("sample %s lacks %s: %v", s.ID, f, src)
			}
		}
		if field(src, "host.name") != h.FQDN || field(src, "event.kind") != "metric" || field(src, "event.module") != "kinit" ||
			field(src, "kinit.role") != "broker" || field(src, "kinit.config_id") != "standalone" {
			t.Errorf("sample %s: host.name %v, event.kind %v, event.module %v, kinit.role %v, kinit.config_id %v",
				s.ID, field(src, "host.name"), field(src, "event.kind"), field(src, "event.module"), field(src, "kinit.role"), field(src, "kinit.config_id"))
		}
		rss, _ := field(src, "process.memory.rss.bytes").(float64)
		if rss <= 0 {
			t.Errorf("sample %s: broker rss %v bytes", s.ID, rss)
		}
		maxRSS = max(maxRSS, rss)
	}
	// The JVM touches its heap lazily (50 MiB seen right after ready), but
	// a broker's JVM is never as small as a shell or kinit itself: the
	// sample measured the broker's process tree, not something else.
	if maxRSS < 32<<20 {
		t.Errorf("largest broker rss in %d samples %v bytes; the broker's JVM holds more", len(samples), maxRSS)
	}
	mark("broker samples found")

	// kill -9 of the broker's JVM: exited, restarting, ready, in that order.
	procs, err := nsProcs(n.proc.Pid())
	if err != nil {
		t.Fatal(err)
	}
	jvm, ok := procs[broker.Pid]
	if !ok || jvm.Name != "java" {
		t.Fatalf("broker pid %d from kinit status is %+v; want a java process", broker.Pid, jvm)
	}
	if err := syscall.Kill(jvm.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	n.waitStatus(ctx, t, "the broker restarted and ready", func(s *status) bool {
		b := s.service("kafka-broker")
		return b.Restarts > 0 && b.Ready && b.Pid != broker.Pid
	})
	mark("broker restarted and ready")
	var events []opensearch.Hit
	eventually(ctx, t, "the broker's exited, restarting and ready events", func() error {
		events, err = search.Search(ctx, "kinit-events-*", terms(map[string]string{"service.id": "kafka-broker"}), 100)
		if err != nil {
			return err
		}
		return restartProblem(events, broker.Pid)
	})
	mark("restart events found")

	// No refusals: kinit's books, its log, and what the server holds.
	var f map[string]string
	eventually(ctx, t, "the shipper idle", func() error {
		st, err := n.status(ctx)
		if err != nil {
			return err
		}
		f = st.section("metrics")
		if f["queued"] != "0/4096" {
			return fmt.Errorf("metrics section %v", f)
		}
		return nil
	})
	if f["product"] != "opensearch" || f["template"] != "installed" || f["connected"] != "true" ||
		f["failed"] != "0" || f["dropped"] != "0" || f["last_error"] != "" {
		t.Errorf("kinit status metrics section %v; want opensearch, template installed, connected, nothing failed or dropped, no error", f)
	}
	sent, _ := strconv.Atoi(f["sent"])
	if count, err := search.Count(ctx, "kinit-*"); err != nil || count < sent || sent == 0 {
		t.Errorf("opensearch holds %d kinit documents (%v); kinit counted %d sent before", count, err, sent)
	}
	for _, l := range kinitLog(n.proc.Output()) {
		if strings.Contains(l.Msg, "rejected a document") || strings.Contains(l.Msg, "refused the index template") {
			t.Errorf("kinit logged %q %v", l.Msg, l.Attrs)
		}
	}

	// Every index kinit wrote has exactly the template's mappings.
	var mappings map[string]struct {
		Mappings map[string]any `json:"mappings"`
	}
	if _, err := search.Do(ctx, http.MethodGet, "/kinit-*/_mapping", nil, &mappings); err != nil {
		t.Fatal(err)
	}
	if len(mappings) < 2 {
		t.Errorf("indices %v; want a metrics and an events index", keys(mappings))
	}
	for index, m := range mappings {
		got := flatMapping(m.Mappings)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("index %s: mappings differ from the template:\n%s", index, mappingDiff(got, want))
		}
	}
	mark("mappings, books and counts checked")
}

// restartProblem says what is missing from the broker's events after the
// kill of pid: an exited event by SIGKILL, then restarting, then ready.
func restartProblem(events []opensearch.Hit, pid int) error {
	sort.Slice(events, func(i, j int) bool {
		return fmt.Sprint(events[i].Source["@timestamp"]) < fmt.Sprint(events[j].Source["@timestamp"])
	})
	step := 0
	for _, e := range events {
		src := e.Source
		switch action := field(src, "event.action"); {
		case step == 0 && action == "exited" && field(src, "process.pid") == float64(pid):
			if field(src, "kinit.event.signal") != "SIGKILL" || field(src, "event.outcome") != "failure" {
				return fmt.Errorf("the exit of pid %d reads %v", pid, src)
			}
			step++
		case step == 1 && action == "restarting":
			step++
		case step == 2 && action == "ready":
			return nil
		}
	}
	return fmt.Errorf("%d of exited, restarting, ready found in %d events", step, len(events))
}

// terms is a query matching every field to its value exactly.
func terms(fields map[string]string) map[string]any {
	var filter []any
	for k, v := range fields {
		filter = append(filter, map[string]any{"term": map[string]any{k: v}})
	}
	return map[string]any{"bool": map[string]any{"filter": filter}}
}

// field reads a dotted path from a document's source.
func field(src map[string]any, path string) any {
	var v any = src
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[k]; !ok {
			return nil
		}
	}
	return v
}

// flatMapping is a mapping as "dotted.field" -> its parameters
// ("type=long,ignore_above=…"), plus the root's own parameters under "".
func flatMapping(m map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		var params []string
		for k, v := range m {
			if k == "properties" {
				props, _ := v.(map[string]any)
				for name, p := range props {
					pm, _ := p.(map[string]any)
					walk(strings.TrimPrefix(prefix+"."+name, "."), pm)
				}
				continue
			}
			b, _ := json.Marshal(v)
			params = append(params, k+"="+strings.Trim(string(b), `"`))
		}
		sort.Strings(params)
		if len(params) > 0 || prefix == "" {
			out[prefix] = strings.Join(params, ",")
		}
	}
	walk("", m)
	return out
}

func mappingDiff(got, want map[string]string) string {
	var b strings.Builder
	for _, k := range keys(got) {
		if w, ok := want[k]; !ok {
			fmt.Fprintf(&b, "  + %s %s (not in the template: dynamic mapping)\n", k, got[k])
		} else if w != got[k] {
			fmt.Fprintf(&b, "  ~ %s %s, template %s\n", k, got[k], w)
		}
	}
	for _, k := range keys(want) {
		if _, ok := got[k]; !ok {
			fmt.Fprintf(&b, "  - %s %s\n", k, want[k])
		}
	}
	return b.String()
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// eventually retries f every 500ms until it returns nil; it fails the test
// with f's last error when ctx ends first.
func eventually(ctx context.Context, t testing.TB, what string, f func() error) {
	t.Helper()
	for {
		err := f()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s: %v", what, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
