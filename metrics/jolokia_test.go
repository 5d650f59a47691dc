package metrics

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSampleLeavesOutWhatTheJVMLacks: an MBean the JVM does not have (a
// 404 in the bulk answer) or an attribute it lacks leaves its fields out
// of the sample instead of sending zeros; a pattern's matches are summed;
// a composite attribute gives its item; ZooKeeper's role comes from its
// MBean names.
func TestSampleLeavesOutWhatTheJVMLacks(t *testing.T) {
	reqs := jolokiaRequests("zookeeper")
	rs := make([]jolokiaResponse, len(reqs))
	for i, r := range reqs {
		switch r.MBean {
		case "java.lang:type=Memory":
			rs[i] = answer(t, map[string]any{"HeapMemoryUsage": map[string]any{"used": 100, "committed": 200, "max": 400}})
		case "java.lang:type=GarbageCollector,*":
			rs[i] = answer(t, map[string]any{
				"java.lang:name=A,type=GarbageCollector": map[string]any{"CollectionCount": 2, "CollectionTime": 5},
				"java.lang:name=B,type=GarbageCollector": map[string]any{"CollectionCount": 3, "CollectionTime": 7},
			})
		case zkSvc:
			rs[i] = answer(t, map[string]any{
				"org.apache.ZooKeeperService:name0=ReplicatedServer_id1,name1=replica.1,name2=Follower":                        map[string]any{"AvgRequestLatency": 1.5},
				"org.apache.ZooKeeperService:name0=ReplicatedServer_id1,name1=replica.1,name2=Follower,name3=InMemoryDataTree": map[string]any{"NodeCount": 7},
			})
		default:
			rs[i] = jolokiaResponse{Status: http.StatusNotFound, Error: "javax.management.InstanceNotFoundException"}
		}
	}
	s := sampleFrom("zookeeper", reqs, rs)
	want := map[string]any{
		"kinit.jvm.heap.used_bytes": int64(100), "kinit.jvm.heap.committed_bytes": int64(200), "kinit.jvm.heap.max_bytes": int64(400),
		"kinit.jvm.gc.count": int64(5), "kinit.jvm.gc.time_ms": int64(12),
		"zookeeper.mntr.latency.avg": 1.5, "zookeeper.mntr.znode_count": int64(7),
	}
	if len(s.Fields) != len(want) {
		t.Errorf("fields %v; want exactly %v", s.Fields, want)
	}
	for k, v := range want {
		if s.Fields[k] != v {
			t.Errorf("%s = %v (%T); want %v", k, s.Fields[k], s.Fields[k], v)
		}
	}
	if s.ServerState != "follower" {
		t.Errorf("server state %q; want follower", s.ServerState)
	}
	// A broker JVM whose agent refused or lacked everything gives an
	// empty sample, not zeros.
	breqs := jolokiaRequests("kafka")
	brs := make([]jolokiaResponse, len(breqs))
	for i := range brs {
		brs[i] = jolokiaResponse{Status: http.StatusForbidden}
	}
	if b := sampleFrom("kafka", breqs, brs); len(b.Fields) != 0 {
		t.Errorf("fields of a JVM that answered nothing: %v", b.Fields)
	}
}

func answer(t *testing.T, v any) jolokiaResponse {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jolokiaResponse{Status: http.StatusOK, Value: b}
}

// TestJVMDocumentFields: a document built from a sample that has every
// field of the table nests each at its dotted path, and brokerNote reads
// the three numbers kinit status shows.
func TestJVMDocumentFields(t *testing.T) {
	fields := map[string]any{}
	for _, f := range jvmFields {
		fields[f.Field] = int64(1)
	}
	fields["kafka.broker.replication.under_replicated_partitions"] = int64(4)
	fields["kafka.broker.controller.active"] = int64(0)
	c := &Collector{brokerIDs: map[string]int32{"b": 3}}
	d := c.jvmDoc(time.Now(), Service{ID: "b", Type: "kafka"}, JVMSample{Fields: fields})
	raw, _ := json.Marshal(d)
	var src map[string]any
	_ = json.Unmarshal(raw, &src)
	for _, f := range jvmFields {
		if get(src, f.Field) == nil {
			t.Errorf("document lacks %s", f.Field)
		}
	}
	if get(src, "kafka.broker.id") != float64(3) || get(src, "event.dataset") != "kafka.broker" || get(src, "metricset.name") != "broker" {
		t.Errorf("broker id %v, dataset %v, metricset %v", get(src, "kafka.broker.id"), get(src, "event.dataset"), get(src, "metricset.name"))
	}
	if n := brokerNote(fields); n != "URP 4, offline 1, not controller" {
		t.Errorf("note %q", n)
	}
}

func get(src map[string]any, path string) any {
	var v any = src
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
