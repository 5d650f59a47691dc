package metrics

import (
	"encoding/json"
	"strings"
)

// templateBody is the index template: explicit mappings for the fields
// dashboards aggregate on, so the first document of a day cannot turn a
// number into text by dynamic mapping; everything else stays dynamic.
// Priority 200 wins over Elasticsearch's built-in logs-*/metrics-*
// templates (100) when a data stream name matches both.
func (c Config) templateBody() []byte {
	kw := map[string]any{"type": "keyword", "ignore_above": 1024}
	long := map[string]any{"type": "long"}
	flt := map[string]any{"type": "float"}
	boolean := map[string]any{"type": "boolean"}
	obj := func(p map[string]any) map[string]any { return map[string]any{"properties": p} }
	props := map[string]any{
		"@timestamp": map[string]any{"type": "date"},
		"message":    map[string]any{"type": "match_only_text"},
		"ecs":        obj(map[string]any{"version": kw}),
		"host":       obj(map[string]any{"name": kw, "hostname": kw}),
		"service":    obj(map[string]any{"id": kw, "name": kw, "type": kw, "state": kw}),
		"process": obj(map[string]any{
			"pid": long, "exit_code": long, "uptime": long,
			"cpu":    obj(map[string]any{"pct": flt}),
			"memory": obj(map[string]any{"rss": obj(map[string]any{"bytes": long})}),
		}),
		"container": obj(map[string]any{
			"cpu":    obj(map[string]any{"usage": flt}),
			"memory": obj(map[string]any{"usage": flt}),
		}),
		"event": obj(map[string]any{
			"kind": kw, "category": kw, "type": kw, "action": kw, "outcome": kw,
			"dataset": kw, "module": kw, "reason": kw, "duration": long,
		}),
		"kinit": obj(map[string]any{
			"role": kw, "node_id": kw, "config_id": kw, "cluster": kw,
			"service": obj(map[string]any{
				"state": kw, "restarts": long, "uptime_seconds": long, "ready": boolean,
				"processes": long, "threads": long, "fds": long, "process_state": kw,
				"cpu": obj(map[string]any{"core_pct": flt, "seconds": flt}),
			}),
			"event": obj(map[string]any{"backoff_ms": long, "signal": kw, "restarts": long, "files": kw}),
			"cgroup": obj(map[string]any{
				"version": long, "cpus": flt,
				"memory": obj(map[string]any{"usage_bytes": long, "limit_bytes": long}),
				"cpu":    obj(map[string]any{"usage_ns": long, "core_pct": flt, "nr_throttled": long, "throttled_ns": long}),
			}),
		}),
	}
	addJVMFields(props, long, flt)
	addClusterFields(props, kw, long, boolean)
	props["metricset"] = obj(map[string]any{"name": kw})
	body := map[string]any{
		"index_patterns": c.indexPatterns(),
		"priority":       200,
		"template": map[string]any{
			"mappings": map[string]any{"dynamic": true, "properties": props},
		},
		"_meta": map[string]any{"managed_by": "kinit", "description": "kinit service metrics and lifecycle events"},
	}
	if c.DataStream != "" {
		body["data_stream"] = map[string]any{}
	}
	b, _ := json.Marshal(body) // maps of strings and numbers always marshal
	return b
}

// addJVMFields maps every number of jvmFields at its dotted path, and
// zookeeper.mntr.server_state.
func addJVMFields(props map[string]any, long, flt map[string]any) {
	for _, f := range jvmFields {
		t := flt
		if f.Long {
			t = long
		}
		setMapping(props, f.Field, t)
	}
	setMapping(props, "zookeeper.mntr.server_state", map[string]any{"type": "keyword"})
}

// clusterFields are the fields of the consumer group and partition
// documents (cluster.go) and the broker id of every Kafka document, by
// their mapping type.
var clusterFields = map[string]string{
	"kafka.broker.id": "long", "kafka.broker.address": "keyword",
	"kafka.topic.name": "keyword", "kafka.partition.id": "long",
	"kafka.consumergroup.id": "keyword", "kafka.consumergroup.offset": "long", "kafka.consumergroup.consumer_lag": "long",
	"kafka.consumergroup.total_lag": "long", "kafka.consumergroup.state": "keyword", "kafka.consumergroup.members": "long",
	"kafka.consumergroup.client.id": "keyword", "kafka.consumergroup.client.host": "keyword",
	"kafka.consumergroup.client.member_id": "keyword",
	"kafka.partition.offset.newest":        "long", "kafka.partition.offset.oldest": "long",
	"kafka.partition.partition.leader": "long", "kafka.partition.partition.isr": "long",
	"kafka.partition.partition.replicas": "long", "kafka.partition.partition.under_replicated": "boolean",
	"kafka.partition.partition.offline": "boolean",
}

// addClusterFields maps clusterFields.
func addClusterFields(props map[string]any, kw, long, boolean map[string]any) {
	types := map[string]map[string]any{"keyword": kw, "long": long, "boolean": boolean}
	for f, t := range clusterFields {
		setMapping(props, f, types[t])
	}
}

// setMapping puts a field's mapping at its dotted path in props.
func setMapping(props map[string]any, path string, mapping map[string]any) {
	parts := strings.Split(path, ".")
	m := props
	for _, p := range parts[:len(parts)-1] {
		next, _ := m[p].(map[string]any)
		if next == nil {
			next = map[string]any{"properties": map[string]any{}}
			m[p] = next
		}
		m = next["properties"].(map[string]any)
	}
	m[parts[len(parts)-1]] = mapping
}

// dynamicFields are the dotted names of every field a document's kafka,
// zookeeper and kinit.jvm objects can carry.
func dynamicFields() []string {
	var out []string
	for _, f := range jvmFields {
		out = append(out, f.Field)
	}
	out = append(out, "zookeeper.mntr.server_state")
	for f := range clusterFields {
		out = append(out, f)
	}
	return out
}
