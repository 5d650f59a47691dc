package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kinit/kinit/supervisor/control"
	"github.com/kinit/kinit/supervisor/control/api"
)

// sampleView is a cluster with something in every section.
func sampleView(at time.Time) View {
	return View{
		SampledAt: at, ClusterID: "cl-1", Mode: "KRaft", Controller: 1,
		Brokers: []BrokerView{{ID: 1, Host: "b-1", Port: 9092, Rack: "r1", Controller: true}, {ID: 2, Host: "b-2", Port: 9092}},
		Quorum: &Quorum{LeaderID: 1, LeaderEpoch: 3, HighWatermark: 120,
			Voters: []QuorumVoter{{ID: 1, LogEndOffset: 120, Leader: true}, {ID: 3, LogEndOffset: 100, Lag: 20}}},
		Topics:          []TopicView{{Name: "orders", Partitions: 3, ReplicationFactor: 2, UnderReplicated: 1}},
		UnderReplicated: []PartitionView{{Topic: "orders", Partition: 2, Leader: 1, Replicas: []int32{1, 2}, ISR: []int32{1}}},
		Offline:         []PartitionView{},
		Groups: []GroupView{{Name: "billing", State: "Empty", Lag: 42,
			Partitions: []PartitionLagView{{Topic: "orders", Partition: 0, Committed: 8, End: 50, Lag: 42}},
			History:    []LagPoint{{At: at.Add(-10 * time.Second), Lag: 10}, {At: at, Lag: 42}}}},
		Registry: &RegistryView{URL: "http://sr:8081", Subjects: []string{"orders-value"}},
		Nodes: []NodeView{
			{Role: "broker", Host: "b-1", URL: "http://b-1:9095/v1/status", Status: &api.Status{
				Node: api.Node{Role: "broker", ID: 1, ConfigID: "kraft"}, Kinit: api.Kinit{Phase: "running", UptimeSeconds: 61}, Ready: true,
				Services: []api.Service{{ID: "kraft-broker", State: "ready", Since: at}}}},
			{Role: "broker", Host: "b-2", URL: "http://b-2:9095/v1/status", Error: "connection refused"},
		},
	}
}

func TestPageShowsEverySection(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := sampleView(at)
	h := NewHandler(Config{ID: "1"}, Cluster{}, at, nil, func() View { return v })
	srv := httptest.NewServer(h)
	defer srv.Close()

	_, body := get(t, srv.URL+"/")
	for _, want := range []string{
		"not Confluent Control Center",
		`<tr class="broker" data-id="1"><td>1</td><td>b-1:9092</td><td>r1</td><td>controller</td></tr>`,
		"KRaft controller quorum", "leader <b>1</b>", "<td>voter (leader)</td>", "<td>100</td><td>20</td>",
		`data-topic="orders"><td>orders</td><td>3</td><td>2</td><td class="bad">1</td>`,
		"1 under-replicated", "0 offline", "<td>orders-2</td><td>under-replicated</td>",
		`<b class="lag" data-group="billing">42</b>`, "<polyline", "<td>orders</td><td>0</td><td>8</td><td>50</td><td>42</td>",
		"<li>orders-value</li>",
		"kinit running", ">ready<", "<td>kraft-broker</td>", "connection refused",
		"/static/page.js", "<noscript>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)<(script|link)[^>]+(src|href)="(https?:)?//`).FindString(body); m != "" {
		t.Errorf("the page loads from another host: %s", m)
	}

	_, js := get(t, srv.URL+"/static/page.js")
	if !strings.Contains(js, "data-refresh") {
		t.Errorf("/static/page.js is not the refresh script: %.80q", js)
	}

	resp, body := get(t, srv.URL+"/api/cluster")
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET /api/cluster: Content-Type %q", ct)
	}
	var got View
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.ClusterID != "cl-1" || len(got.Brokers) != 2 || got.Groups[0].Lag != 42 || len(got.Groups[0].History) != 2 ||
		got.Nodes[0].Status.Services[0].ID != "kraft-broker" || got.Registry.Subjects[0] != "orders-value" {
		t.Errorf("GET /api/cluster = %s", body)
	}
}

func TestPageZooKeeperMode(t *testing.T) {
	v := sampleView(time.Now())
	v.Mode, v.Quorum, v.Controller = "ZooKeeper", nil, 2
	srv := httptest.NewServer(NewHandler(Config{}, Cluster{}, time.Now(), nil, func() View { return v }))
	defer srv.Close()
	_, body := get(t, srv.URL+"/")
	if !strings.Contains(body, "ZooKeeper mode: the controller is broker <b>2</b>") || strings.Contains(body, "KRaft controller quorum") {
		t.Errorf("ZooKeeper-mode page:\n%s", body)
	}
}

func TestTopicsOfCountsUnhealthyPartitions(t *testing.T) {
	td := kadm.TopicDetails{
		"ok": {Topic: "ok", Partitions: kadm.PartitionDetails{
			0: {Topic: "ok", Partition: 0, Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}}}},
		"sick": {Topic: "sick", Partitions: kadm.PartitionDetails{
			0: {Topic: "sick", Partition: 0, Leader: 1, Replicas: []int32{1, 2}, ISR: []int32{1}},
			1: {Topic: "sick", Partition: 1, Leader: -1, Replicas: []int32{2, 3}, ISR: []int32{}},
			2: {Topic: "sick", Partition: 2, Leader: 3, Replicas: []int32{3, 1}, ISR: []int32{3, 1}}}},
	}
	var v View
	topicsOf(td, &v)
	want := []TopicView{{Name: "ok", Partitions: 1, ReplicationFactor: 3}, {Name: "sick", Partitions: 3, ReplicationFactor: 2, UnderReplicated: 2, Offline: 1}}
	if len(v.Topics) != 2 || v.Topics[0] != want[0] || v.Topics[1] != want[1] {
		t.Errorf("topics %+v, want %+v", v.Topics, want)
	}
	if len(v.Offline) != 1 || v.Offline[0].Partition != 1 || len(v.UnderReplicated) != 2 || v.UnderReplicated[0].Partition != 0 {
		t.Errorf("offline %+v, under-replicated %+v", v.Offline, v.UnderReplicated)
	}
}

func TestLagPlot(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svg := string(LagPlot("g", []LagPoint{{At: at, Lag: 0}, {At: at.Add(30 * time.Second), Lag: 50}, {At: at.Add(60 * time.Second), Lag: 100}}))
	m := regexp.MustCompile(`<polyline[^>]* points="([^"]+)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no polyline: %s", svg)
	}
	// Drawing area: x 56..472, y 8..100; lag 0 at the bottom, 100 at the top.
	if want := "56.0,100.0 264.0,54.0 472.0,8.0"; m[1] != want {
		t.Errorf("points %q, want %q", m[1], want)
	}
	for _, want := range []string{`>100</text>`, `>-1m0s</text>`, `>03:05:05</text>`, `aria-label="total lag of g"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("plot lacks %q: %s", want, svg)
		}
	}
	if svg := string(LagPlot("g", nil)); !strings.Contains(svg, "no samples yet") || strings.Contains(svg, "<polyline") {
		t.Errorf("empty plot: %s", svg)
	}
	one := string(LagPlot("g", []LagPoint{{At: at, Lag: 7}}))
	if m := regexp.MustCompile(`points="([^"]+)"`).FindStringSubmatch(one); m == nil || m[1] != "56.0,8.0 472.0,8.0" {
		t.Errorf("one sample: %s", one)
	}
	if svg := string(LagPlot(`<x>`, nil)); strings.Contains(svg, "<x>") {
		t.Errorf("group name not escaped: %s", svg)
	}
}

func TestHistoryBounded(t *testing.T) {
	h := NewHistory(time.Minute, 10*time.Second) // 7 points a group
	h.MaxGroups = 2
	at := time.Unix(1000, 0)
	for i := range 20 {
		h.Add(at.Add(time.Duration(i)*10*time.Second), map[string]int64{"a": int64(i), "b": 1, "c": 2})
	}
	a := h.Of("a")
	if len(a) != 7 || a[0].Lag != 13 || a[6].Lag != 19 {
		t.Errorf("a: %v, want the last 7 samples 13..19", a)
	}
	if len(h.Of("c")) != 0 {
		t.Errorf("c kept beyond MaxGroups: %v", h.Of("c"))
	}
	// A group that is gone ages out of the window.
	end := at.Add(20 * 10 * time.Second)
	h.Add(end.Add(2*time.Minute), map[string]int64{"b": 1})
	if len(h.Of("a")) != 0 || len(h.Of("b")) != 1 {
		t.Errorf("after the window: a %v, b %v", h.Of("a"), h.Of("b"))
	}
}

func TestNodesFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	got, err := NodesFromEnv(env(map[string]string{"KINIT_NODES": "controller=1@c-1;broker=b-1,b-2", "KINIT_STATUS_LISTEN": "0.0.0.0:9500"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []NodeAddr{{"controller", "c-1", "http://c-1:9500/v1/status"}, {"broker", "b-1", "http://b-1:9500/v1/status"}, {"broker", "b-2", "http://b-2:9500/v1/status"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("node %d = %v, want %v", i, got[i], want[i])
		}
	}
	got, err = NodesFromEnv(env(nil))
	if err != nil || len(got) != 1 || got[0].URL != "http://127.0.0.1:9095/v1/status" {
		t.Errorf("no nodes list: %v %v", got, err)
	}
	f := filepath.Join(t.TempDir(), "nodes")
	os.WriteFile(f, []byte("broker=b-9\n"), 0o644)
	got, err = NodesFromEnv(env(map[string]string{"KINIT_NODES_FILE": f}))
	if err != nil || len(got) != 1 || got[0].Host != "b-9" {
		t.Errorf("nodes file: %v %v", got, err)
	}
	if _, err := NodesFromEnv(env(map[string]string{"KINIT_STATUS_LISTEN": "9095"})); err == nil || !strings.Contains(err.Error(), "KINIT_STATUS_LISTEN") {
		t.Errorf("bad KINIT_STATUS_LISTEN: %v", err)
	}
	if DefaultStatusPort != control.DefaultStatusPort {
		t.Errorf("DefaultStatusPort %d, kinit's %d", DefaultStatusPort, control.DefaultStatusPort)
	}
}

func TestSampleNodesReadsStatusListener(t *testing.T) {
	st := api.Status{Node: api.Node{Role: "broker", ID: 7}, Ready: true}
	srv := httptest.NewServer(control.ReadOnly(jsonHandler(st)))
	defer srv.Close()
	dead := closedPort(t)
	got := sampleNodes(t.Context(), statusClient(), []NodeAddr{
		{Role: "broker", Host: "up", URL: srv.URL + "/v1/status"},
		{Role: "broker", Host: "down", URL: "http://" + dead + "/v1/status"},
	})
	if got[0].Status == nil || got[0].Status.Node.ID != 7 || got[0].Error != "" {
		t.Errorf("up: %+v", got[0])
	}
	if got[1].Status != nil || !strings.Contains(got[1].Error, "KINIT_STATUS_LISTEN") {
		t.Errorf("down: %+v", got[1])
	}
}

func jsonHandler(v any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(v) })
}

func TestSampleSubjectsFindsTheConfluentAPI(t *testing.T) {
	// Apicurio serves the Confluent API under its ccompat prefix only.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /apis/ccompat/v7/subjects", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`["payments-value","orders-value"]`))
	})
	apicurio := httptest.NewServer(mux)
	defer apicurio.Close()
	rv := sampleSubjects(t.Context(), RegistryClient(Security{}), apicurio.URL+"/,http://sr-2:8081")
	if rv.Error != "" || strings.Join(rv.Subjects, " ") != "orders-value payments-value" || rv.URL != apicurio.URL {
		t.Errorf("ccompat registry: %+v", rv)
	}

	nothing := httptest.NewServer(http.NotFoundHandler())
	defer nothing.Close()
	if rv := sampleSubjects(t.Context(), RegistryClient(Security{}), nothing.URL); !strings.Contains(rv.Error, "no Confluent subjects API") {
		t.Errorf("no registry API: %+v", rv)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer broken.Close()
	if rv := sampleSubjects(t.Context(), RegistryClient(Security{}), broken.URL); !strings.Contains(rv.Error, "500") {
		t.Errorf("failing registry: %+v", rv)
	}
}
