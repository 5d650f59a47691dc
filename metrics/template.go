package metrics

import "encoding/json"

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
