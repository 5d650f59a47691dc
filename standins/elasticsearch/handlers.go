package elasticsearch

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
)

// serve routes a request. Every answer carries X-Elastic-Product, which the
// official 8.x clients check on their first successful response (unless the
// stand-in plays OpenSearch, which sends no such header).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.opts.OpenSearch {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	rec := &statusWriter{ResponseWriter: w}
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.pending--
		s.mu.Unlock()
		s.record(Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"),
			ContentType: r.Header.Get("Content-Type"), Status: rec.status})
	}()
	if strings.HasPrefix(r.URL.Path, "/_standin/") {
		s.serveControl(rec, r)
		return
	}
	if !s.authorized(r) {
		rec.Header().Set("WWW-Authenticate", `ApiKey, Basic realm="security" charset="UTF-8"`)
		writeError(rec, http.StatusUnauthorized, "security_exception",
			fmt.Sprintf("missing authentication credentials for REST request [%s]", r.URL.Path))
		return
	}
	if status, ok := s.hold(rec, r); !ok {
		rec.status = status
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.info(rec)
	case len(parts) == 2 && parts[0] == "_index_template" && r.Method == http.MethodPut:
		s.putTemplate(rec, r, parts[1])
	case len(parts) == 1 && parts[0] == "_bulk" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		s.bulk(rec, r, "")
	case len(parts) == 2 && parts[1] == "_bulk" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		s.bulk(rec, r, parts[0])
	case len(parts) == 2 && parts[1] == "_count" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		s.count(rec, parts[0])
	default:
		writeError(rec, http.StatusBadRequest, "illegal_argument_exception",
			fmt.Sprintf("no handler found for uri [%s] and method [%s]", r.URL.Path, r.Method))
	}
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.APIKey == "" && s.opts.Username == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case s.opts.APIKey != "" && strings.EqualFold(scheme, "ApiKey"):
		return subtle.ConstantTimeCompare([]byte(cred), []byte(s.opts.APIKey)) == 1
	case s.opts.Username != "" && strings.EqualFold(scheme, "Basic"):
		want := base64.StdEncoding.EncodeToString([]byte(s.opts.Username + ":" + s.opts.Password))
		return subtle.ConstantTimeCompare([]byte(cred), []byte(want)) == 1
	}
	return false
}

func (s *Server) info(w http.ResponseWriter) {
	if s.opts.OpenSearch {
		writeJSON(w, http.StatusOK, map[string]any{
			"name":         "kinit-standin",
			"cluster_name": "kinit-standin",
			"version": map[string]any{
				"distribution":   "opensearch",
				"number":         s.opts.Version,
				"build_type":     "stand-in",
				"lucene_version": "9.12.3",
			},
			"tagline": "The OpenSearch Project: https://opensearch.org/",
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name":         "kinit-standin",
		"cluster_name": "kinit-standin",
		"cluster_uuid": "c2tpbml0LXN0YW5kLWlu",
		"version": map[string]any{
			"number":                              s.opts.Version,
			"build_flavor":                        "default",
			"build_type":                          "stand-in",
			"lucene_version":                      "9.11.1",
			"minimum_wire_compatibility_version":  "7.17.0",
			"minimum_index_compatibility_version": "7.0.0",
		},
		"tagline": "You Know, for Search",
	})
}

func (s *Server) putTemplate(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	deny := s.denyTmpl
	s.mu.Unlock()
	if deny {
		writeError(w, http.StatusForbidden, "security_exception",
			"action [indices:admin/index_template/put] is unauthorized for user [kinit], this action is granted by the cluster privileges [manage_index_templates,manage,all]")
		return
	}
	var body struct {
		IndexPatterns json.RawMessage `json:"index_patterns"`
		DataStream    *struct{}       `json:"data_stream"`
	}
	raw, err := readBody(r)
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "x_content_parse_exception", "cannot parse index template: "+err.Error())
		return
	}
	var patterns []string
	if json.Unmarshal(body.IndexPatterns, &patterns) != nil {
		var one string
		if json.Unmarshal(body.IndexPatterns, &one) != nil || one == "" {
			writeError(w, http.StatusBadRequest, "action_request_validation_exception",
				"Validation Failed: 1: index patterns are missing;")
			return
		}
		patterns = []string{one}
	}
	if len(patterns) == 0 {
		writeError(w, http.StatusBadRequest, "action_request_validation_exception",
			"Validation Failed: 1: index patterns are missing;")
		return
	}
	s.mu.Lock()
	s.templates[name] = Template{Name: name, IndexPatterns: patterns, DataStream: body.DataStream != nil, Body: raw}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
}

func (s *Server) count(w http.ResponseWriter, pattern string) {
	n := 0
	for _, d := range s.Docs() {
		if ok, _ := path.Match(pattern, d.Index); ok {
			n++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": n,
		"_shards": map[string]int{"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
}

// serveControl is the stand-in's own API, for the demo: it is no part of
// Elasticsearch. GET /_standin/docs lists stored documents; POST
// /_standin/fault?mode=none|hang|429|5xx switches the fault.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_standin/docs":
		writeJSON(w, http.StatusOK, s.Docs())
	case "/_standin/fault":
		modes := map[string]Fault{"none": FaultNone, "hang": FaultHang, "slow": FaultSlow, "429": Fault429, "5xx": Fault5xx}
		f, ok := modes[r.URL.Query().Get("mode")]
		if !ok || r.Method != http.MethodPost {
			writeError(w, http.StatusBadRequest, "illegal_argument_exception", "POST /_standin/fault?mode=none|hang|slow|429|5xx")
			return
		}
		s.SetFault(f)
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	default:
		writeError(w, http.StatusNotFound, "resource_not_found_exception", "unknown stand-in control path")
	}
}

// contentTypeOK accepts what Elasticsearch accepts on the bulk endpoint:
// NDJSON or JSON, plainly or in the compatible-with vendor form.
func contentTypeOK(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/x-ndjson", "application/json",
		"application/vnd.elasticsearch+x-ndjson", "application/vnd.elasticsearch+json":
		return true
	}
	return false
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client may be gone
}

// writeError answers in Elasticsearch's error envelope.
func writeError(w http.ResponseWriter, status int, typ, reason string) {
	cause := map[string]any{"type": typ, "reason": reason}
	writeJSON(w, status, map[string]any{
		"error":  map[string]any{"root_cause": []any{cause}, "type": typ, "reason": reason},
		"status": status,
	})
}
