package metrics

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// field looks a dotted path up in a decoded document.
func field(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func decode(t *testing.T, d *Document) map[string]any {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkFields compares wanted values (nil = must be absent) by their JSON
// rendering, so numbers and lists compare simply.
func checkFields(t *testing.T, m map[string]any, want map[string]any) {
	t.Helper()
	for path, w := range want {
		got, ok := field(m, path)
		if w == nil {
			if ok {
				t.Errorf("%s = %v, want absent", path, got)
			}
			continue
		}
		if !ok {
			t.Errorf("%s missing", path)
			continue
		}
		if g, ok := got.(float64); ok {
			if wi, ok := w.(int); ok {
				w = float64(wi)
			}
			if wf, ok := w.(float64); ok && g == wf {
				continue
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", path, got, w)
		}
	}
}

func TestEventDocuments(t *testing.T) {
	node := Node{Name: "broker-1.kafka.svc", Hostname: "broker-1", Role: "broker", NodeID: "1", ConfigID: "production", Cluster: "east"}
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	common := map[string]any{
		"@timestamp": "2024-05-01T12:00:00Z", "host.name": "broker-1.kafka.svc", "host.hostname": "broker-1",
		"event.kind": "event", "event.dataset": "kinit.lifecycle", "event.module": "kinit", "ecs.version": ecsVersion,
		"kinit.role": "broker", "kinit.node_id": "1", "kinit.config_id": "production", "kinit.cluster": "east",
	}
	tests := []struct {
		name string
		ev   Event
		want map[string]any
	}{
		{"started", Event{Action: ActionStarted, Service: "kafka-broker", ServiceType: "kafka", Pid: 42},
			map[string]any{"event.action": "started", "event.outcome": "success", "event.type": "[start]", "event.category": "[process]",
				"service.id": "kafka-broker", "service.name": "kafka-broker", "service.type": "kafka", "process.pid": 42,
				"message": `service "kafka-broker" started`}},
		{"ready", Event{Action: ActionReady, Service: "zookeeper", ServiceName: "ZooKeeper"},
			map[string]any{"event.action": "ready", "event.outcome": "success", "service.name": "ZooKeeper", "process": nil}},
		{"exited with code", Event{Action: ActionExited, Service: "kafka-broker", Pid: 42, ExitCode: 3},
			map[string]any{"event.action": "exited", "event.outcome": "failure", "event.type": "[end]", "process.exit_code": 3,
				"message": `service "kafka-broker" exited with code 3`}},
		{"exited cleanly", Event{Action: ActionExited, Service: "kafka-broker", ExitCode: 0},
			map[string]any{"event.outcome": "success", "process.exit_code": 0}},
		{"killed", Event{Action: ActionExited, Service: "kafka-broker", Pid: 42, Signal: "SIGKILL"},
			map[string]any{"event.outcome": "failure", "kinit.event.signal": "SIGKILL", "process.exit_code": nil,
				"message": `service "kafka-broker" was killed by SIGKILL`}},
		{"restarting", Event{Action: ActionRestarting, Service: "kafka-broker", Backoff: 4 * time.Second, Restarts: 2},
			map[string]any{"event.action": "restarting", "event.outcome": "unknown", "kinit.event.backoff_ms": 4000, "kinit.event.restarts": 2,
				"message": `service "kafka-broker" restarting in 4s`}},
		{"failed", Event{Action: ActionFailed, Service: "kafka-broker", Reason: "restarted too often"},
			map[string]any{"event.outcome": "failure", "event.reason": "restarted too often",
				"message": `service "kafka-broker" failed: restarted too often`}},
		{"stopping", Event{Action: ActionStopping, Service: "kafka-broker"}, map[string]any{"event.outcome": "unknown"}},
		{"config reloaded", Event{Action: ActionConfigReloaded, Files: []string{"/etc/kafka/server.properties"}},
			map[string]any{"event.category": "[configuration]", "event.type": "[change]", "service": nil,
				"kinit.event.files": "[/etc/kafka/server.properties]", "message": "kinit config-reloaded (1 files)"}},
		{"config rendered", Event{Action: ActionConfigRendered, Service: "zookeeper", Files: []string{"a", "b"}},
			map[string]any{"event.type": "[creation]", "event.action": "config-rendered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.Time = at
			m := decode(t, eventDoc(node, tt.ev))
			checkFields(t, m, common)
			checkFields(t, m, tt.want)
		})
	}
}

func TestDocumentNumbersStayFinite(t *testing.T) {
	if finite(0.0/func() float64 { return 0 }()) != 0 || round4(1.23456789) != 1.2346 {
		t.Fatal("finite/round4")
	}
}
