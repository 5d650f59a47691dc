package elasticsearch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"time"
)

// maxBody bounds what one request may upload, like http.max_content_length.
const maxBody = 100 << 20

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

// bulkAction is one parsed action/metadata line.
type bulkAction struct {
	op     string
	index  string
	id     string
	source []byte // nil for delete
}

// bulk handles POST /_bulk and /{index}/_bulk. Malformed requests are refused
// as a whole (400), as Elasticsearch does; per-item problems are answered in
// the item with its own status and error object.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, pathIndex string) {
	start := time.Now()
	if !contentTypeOK(r.Header.Get("Content-Type")) {
		writeJSON(w, http.StatusNotAcceptable, map[string]any{
			"error":  fmt.Sprintf("Content-Type header [%s] is not supported", r.Header.Get("Content-Type")),
			"status": http.StatusNotAcceptable,
		})
		return
	}
	body, err := readBody(r)
	if err != nil {
		return // the client went away
	}
	actions, perr := parseBulk(body, pathIndex)
	if perr != nil {
		writeError(w, http.StatusBadRequest, perr.typ, perr.reason)
		return
	}
	items := make([]map[string]any, 0, len(actions))
	anyErr := false
	for _, a := range actions {
		res := s.apply(a)
		if _, failed := res["error"]; failed {
			anyErr = true
		}
		items = append(items, map[string]any{a.op: res})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"took":   time.Since(start).Milliseconds(),
		"errors": anyErr,
		"items":  items,
	})
}

type bulkError struct{ typ, reason string }

func parseBulk(body []byte, pathIndex string) ([]bulkAction, *bulkError) {
	if len(body) == 0 {
		return nil, &bulkError{"action_request_validation_exception", "Validation Failed: 1: no requests added;"}
	}
	if body[len(body)-1] != '\n' {
		return nil, &bulkError{"illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]"}
	}
	lines := bytes.Split(body[:len(body)-1], []byte("\n"))
	var out []bulkAction
	for i := 0; i < len(lines); i++ {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 {
			continue
		}
		var meta map[string]map[string]any
		if err := json.Unmarshal(line, &meta); err != nil || len(meta) != 1 {
			return nil, &bulkError{"illegal_argument_exception",
				fmt.Sprintf("Malformed action/metadata line [%d], expected START_OBJECT or END_OBJECT but found [%s]", i+1, firstToken(line))}
		}
		var a bulkAction
		var params map[string]any
		for op, p := range meta {
			a.op, params = op, p
		}
		switch a.op {
		case "index", "create", "update", "delete":
		default:
			return nil, &bulkError{"illegal_argument_exception",
				fmt.Sprintf("Malformed action/metadata line [%d], expected one of [create, delete, index, update] but found [%s]", i+1, a.op)}
		}
		a.index, _ = params["_index"].(string)
		if a.index == "" {
			a.index = pathIndex
		}
		if a.index == "" {
			return nil, &bulkError{"action_request_validation_exception", "Validation Failed: 1: index is missing;"}
		}
		a.id, _ = params["_id"].(string)
		if a.op != "delete" {
			if i+1 >= len(lines) || len(bytes.TrimSpace(lines[i+1])) == 0 {
				return nil, &bulkError{"illegal_argument_exception",
					fmt.Sprintf("Malformed action/metadata line [%d], expected a source line after it", i+1)}
			}
			i++
			a.source = lines[i]
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, &bulkError{"action_request_validation_exception", "Validation Failed: 1: no requests added;"}
	}
	return out, nil
}

func firstToken(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}

// apply executes one item and returns its result object.
func (s *Server) apply(a bulkAction) map[string]any {
	res := map[string]any{"_index": a.index}
	fail := func(status int, typ, reason string) map[string]any {
		if a.id != "" {
			res["_id"] = a.id
		}
		res["status"] = status
		res["error"] = map[string]any{"type": typ, "reason": reason, "index": a.index}
		return res
	}
	if a.op == "update" || a.op == "delete" {
		return fail(http.StatusBadRequest, "illegal_argument_exception", "the stand-in stores documents only with index and create")
	}
	var src map[string]any
	if err := json.Unmarshal(a.source, &src); err != nil {
		return fail(http.StatusBadRequest, "mapper_parsing_exception", "failed to parse: "+err.Error())
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rule := range s.rejects {
		if rule.Times > 0 && rule.used >= rule.Times {
			continue
		}
		if rule.Match == nil || rule.Match(a.index, src) {
			rule.used++
			return fail(rule.Status, rule.Type, rule.Reason)
		}
	}
	if ds := s.dataStreamFor(a.index); ds {
		if a.op != "create" {
			return fail(http.StatusBadRequest, "illegal_argument_exception",
				"only write ops with an op_type of create are allowed in data streams")
		}
		if _, ok := src["@timestamp"]; !ok {
			return fail(http.StatusBadRequest, "mapper_parsing_exception",
				"data stream timestamp field [@timestamp] is missing")
		}
		res["_index"] = fmt.Sprintf(".ds-%s-%s-000001", a.index, time.Now().UTC().Format("2006.01.02"))
	}
	ids := s.ids[a.index]
	if ids == nil {
		ids = map[string]int{}
		s.ids[a.index] = ids
	}
	if a.id == "" {
		s.seq++
		a.id = "standin-" + strconv.FormatInt(s.seq, 10)
	} else if _, exists := ids[a.id]; exists && a.op == "create" {
		return fail(http.StatusConflict, "version_conflict_engine_exception",
			fmt.Sprintf("[%s]: version conflict, document already exists (current version [1])", a.id))
	}
	result, status := "created", http.StatusCreated
	doc := Doc{Index: a.index, ID: a.id, Op: a.op, Source: src}
	if pos, ok := ids[a.id]; ok {
		result, status = "updated", http.StatusOK
		s.docs[pos] = doc // an overwrite replaces, in place
	} else {
		ids[a.id] = len(s.docs)
		s.docs = append(s.docs, doc)
	}
	res["_id"] = a.id
	res["_version"] = 1
	res["result"] = result
	res["_shards"] = map[string]int{"total": 2, "successful": 1, "failed": 0}
	res["_seq_no"] = len(s.docs) - 1
	res["_primary_term"] = 1
	res["status"] = status
	return res
}

// dataStreamFor reports whether a template with data_stream matches the
// name; the caller holds s.mu.
func (s *Server) dataStreamFor(index string) bool {
	for _, t := range s.templates {
		if !t.DataStream {
			continue
		}
		for _, p := range t.IndexPatterns {
			if ok, _ := path.Match(p, index); ok {
				return true
			}
		}
	}
	return false
}
