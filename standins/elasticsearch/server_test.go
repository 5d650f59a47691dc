package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	es "github.com/elastic/go-elasticsearch/v8"
)

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, url, ct, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON: %q", raw)
	}
	return res.StatusCode, res.Header, out
}

func itemStatuses(resp map[string]any) []string {
	var out []string
	items, _ := resp["items"].([]any)
	for _, it := range items {
		for op, v := range it.(map[string]any) {
			m := v.(map[string]any)
			s := op + ":" + jsonNum(m["status"])
			if e, ok := m["error"].(map[string]any); ok {
				s += ":" + e["type"].(string)
			}
			out = append(out, s)
		}
	}
	return out
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestBulkStrictness(t *testing.T) {
	tests := []struct {
		name, path, ct, body string
		status               int
		errType              string   // top-level error type
		items                []string // op:status[:error type]
		errorsFlag           bool
	}{
		{name: "index and create", path: "/_bulk", ct: "application/x-ndjson",
			body:   `{"index":{"_index":"a"}}` + "\n" + `{"f":1}` + "\n" + `{"create":{"_index":"a","_id":"x"}}` + "\n" + `{"f":2}` + "\n",
			status: 200, items: []string{"index:201", "create:201"}},
		{name: "json content type and index in path", path: "/b/_bulk", ct: "application/json; charset=UTF-8",
			body: `{"index":{}}` + "\n" + `{"f":1}` + "\n", status: 200, items: []string{"index:201"}},
		{name: "compatible-with content type", path: "/_bulk", ct: "application/vnd.elasticsearch+x-ndjson;compatible-with=8",
			body: `{"index":{"_index":"a"}}` + "\n" + `{"f":1}` + "\n", status: 200, items: []string{"index:201"}},
		{name: "no trailing newline", path: "/_bulk", ct: "application/x-ndjson",
			body: `{"index":{"_index":"a"}}` + "\n" + `{"f":1}`, status: 400, errType: "illegal_argument_exception"},
		{name: "empty body", path: "/_bulk", ct: "application/x-ndjson", body: "",
			status: 400, errType: "action_request_validation_exception"},
		{name: "missing source line", path: "/_bulk", ct: "application/x-ndjson",
			body: `{"index":{"_index":"a"}}` + "\n", status: 400, errType: "illegal_argument_exception"},
		{name: "unknown action", path: "/_bulk", ct: "application/x-ndjson",
			body: `{"upsert":{"_index":"a"}}` + "\n" + `{}` + "\n", status: 400, errType: "illegal_argument_exception"},
		{name: "no index anywhere", path: "/_bulk", ct: "application/x-ndjson",
			body: `{"index":{}}` + "\n" + `{}` + "\n", status: 400, errType: "action_request_validation_exception"},
		{name: "bad content type", path: "/_bulk", ct: "text/plain",
			body: `{"index":{"_index":"a"}}` + "\n" + `{}` + "\n", status: 406},
		{name: "unparsable source is a per-item error", path: "/_bulk", ct: "application/x-ndjson",
			body:   `{"index":{"_index":"a"}}` + "\n" + `{"f":` + "\n" + `{"index":{"_index":"a"}}` + "\n" + `{"f":1}` + "\n",
			status: 200, errorsFlag: true, items: []string{"index:400:mapper_parsing_exception", "index:201"}},
		{name: "duplicate create conflicts", path: "/_bulk", ct: "application/x-ndjson",
			body:   `{"create":{"_index":"c","_id":"1"}}` + "\n" + `{}` + "\n" + `{"create":{"_index":"c","_id":"1"}}` + "\n" + `{}` + "\n",
			status: 200, errorsFlag: true, items: []string{"create:201", "create:409:version_conflict_engine_exception"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Options{})
			status, hdr, resp := post(t, s.URL()+tt.path, tt.ct, tt.body)
			if hdr.Get("X-Elastic-Product") != "Elasticsearch" {
				t.Errorf("X-Elastic-Product = %q", hdr.Get("X-Elastic-Product"))
			}
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, resp)
			}
			if tt.errType != "" {
				e, _ := resp["error"].(map[string]any)
				if e == nil || e["type"] != tt.errType {
					t.Fatalf("error = %v, want type %s", resp["error"], tt.errType)
				}
				return
			}
			if status != 200 {
				return
			}
			if _, ok := resp["took"].(float64); !ok {
				t.Errorf("no took in %v", resp)
			}
			if resp["errors"] != tt.errorsFlag {
				t.Errorf("errors = %v, want %v", resp["errors"], tt.errorsFlag)
			}
			if got := itemStatuses(resp); strings.Join(got, ",") != strings.Join(tt.items, ",") {
				t.Errorf("items = %v, want %v", got, tt.items)
			}
		})
	}
}

// TestOfficialClient checks the stand-in passes the Go client's product
// check and answers its typed calls.
func TestOfficialClient(t *testing.T) {
	s := start(t, Options{APIKey: "a2V5OnNlY3JldA=="})
	c, err := es.NewClient(es.Config{Addresses: []string{s.URL()}, APIKey: "a2V5OnNlY3JldA=="})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Info()
	if err != nil {
		t.Fatalf("product check failed: %v", err)
	}
	var info struct {
		Version struct{ Number string }
	}
	json.NewDecoder(res.Body).Decode(&info)
	res.Body.Close()
	if !strings.HasPrefix(info.Version.Number, "8.") {
		t.Errorf("version %q, want 8.x", info.Version.Number)
	}
	res, err = c.Bulk(strings.NewReader(`{"create":{"_index":"logs"}}` + "\n" + `{"@timestamp":"2024-01-01T00:00:00Z","m":1}` + "\n"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("bulk: %v %v", err, res)
	}
	res.Body.Close()
	docs := s.Docs()
	if len(docs) != 1 || docs[0].Index != "logs" || docs[0].Source["m"] != float64(1) {
		t.Fatalf("docs = %+v", docs)
	}
	if got := s.Requests()[0].Authorization; got != "APIKey a2V5OnNlY3JldA==" {
		t.Errorf("authorization = %q", got)
	}

	// Without credentials: 401 with the product header still set.
	bad, _ := es.NewClient(es.Config{Addresses: []string{s.URL()}})
	res, err = bad.Info()
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without credentials = %d, want 401", res.StatusCode)
	}
}

func TestTemplatesAndDataStreams(t *testing.T) {
	s := start(t, Options{})
	put := func(body string) int {
		req, _ := http.NewRequest(http.MethodPut, s.URL()+"/_index_template/kinit", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	s.DenyTemplates(true)
	if got := put(`{"index_patterns":["kinit-*"],"data_stream":{}}`); got != http.StatusForbidden {
		t.Fatalf("denied template: status %d, want 403", got)
	}
	s.DenyTemplates(false)
	if got := put(`{"index_patterns":"kinit-*","data_stream":{}}`); got != 200 {
		t.Fatalf("template: status %d", got)
	}
	if got := put(`{"priority":1}`); got != 400 {
		t.Fatalf("template without patterns: status %d, want 400", got)
	}
	if tm := s.Templates()["kinit"]; !tm.DataStream || tm.IndexPatterns[0] != "kinit-*" {
		t.Fatalf("template = %+v", tm)
	}
	_, _, resp := post(t, s.URL()+"/_bulk", "application/x-ndjson",
		`{"index":{"_index":"kinit-m"}}`+"\n"+`{"@timestamp":"2024-01-01T00:00:00Z"}`+"\n"+
			`{"create":{"_index":"kinit-m"}}`+"\n"+`{"x":1}`+"\n"+
			`{"create":{"_index":"kinit-m"}}`+"\n"+`{"@timestamp":"2024-01-01T00:00:00Z"}`+"\n")
	want := "index:400:illegal_argument_exception,create:400:mapper_parsing_exception,create:201"
	if got := strings.Join(itemStatuses(resp), ","); got != want {
		t.Fatalf("items = %s, want %s", got, want)
	}
}

func TestRejectItems(t *testing.T) {
	s := start(t, Options{})
	s.RejectItems(Reject{Status: 429, Type: "es_rejected_execution_exception", Reason: "queue full", Times: 1})
	s.RejectItems(Reject{Match: func(_ string, src map[string]any) bool { return src["bad"] == true },
		Status: 400, Type: "mapper_parsing_exception", Reason: "bad field"})
	body := `{"index":{"_index":"a"}}` + "\n" + `{"n":1}` + "\n" +
		`{"index":{"_index":"a"}}` + "\n" + `{"bad":true}` + "\n" +
		`{"index":{"_index":"a"}}` + "\n" + `{"n":3}` + "\n"
	_, _, resp := post(t, s.URL()+"/_bulk", "application/x-ndjson", body)
	want := "index:429:es_rejected_execution_exception,index:400:mapper_parsing_exception,index:201"
	if got := strings.Join(itemStatuses(resp), ","); got != want || resp["errors"] != true {
		t.Fatalf("items = %s errors=%v, want %s", got, resp["errors"], want)
	}
	if n := len(s.Docs()); n != 1 {
		t.Fatalf("stored %d docs, want 1", n)
	}
}

func TestFaults(t *testing.T) {
	s := start(t, Options{})
	body := `{"index":{"_index":"a"}}` + "\n" + `{}` + "\n"
	for _, tt := range []struct {
		fault  Fault
		status int
		typ    string
	}{
		{Fault429, 429, "es_rejected_execution_exception"},
		{Fault5xx, 503, "cluster_block_exception"},
	} {
		s.SetFault(tt.fault)
		status, hdr, resp := post(t, s.URL()+"/_bulk", "application/x-ndjson", body)
		e, _ := resp["error"].(map[string]any)
		if status != tt.status || e["type"] != tt.typ || hdr.Get("X-Elastic-Product") != "Elasticsearch" {
			t.Errorf("fault %d: status %d, error %v", tt.fault, status, resp)
		}
	}

	// Slow: answered, late.
	s.SetDelay(30 * time.Millisecond)
	s.SetFault(FaultSlow)
	if status, _, _ := post(t, s.URL()+"/_bulk", "application/x-ndjson", body); status != 200 {
		t.Errorf("slow: status %d", status)
	}

	// Hang: the request gets no answer until the client gives up.
	s.SetFault(FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/_bulk", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	_, err := http.DefaultClient.Do(req)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hang: err = %v, want deadline exceeded", err)
	}

	// Down refuses connections; Up serves again on the same URL.
	s.SetFault(FaultNone)
	url := s.URL()
	s.Down()
	if _, err := http.Post(url+"/_bulk", "application/x-ndjson", bytes.NewBufferString(body)); err == nil {
		t.Fatal("request to a down stand-in succeeded")
	}
	if err := s.Up(); err != nil {
		t.Fatal(err)
	}
	if s.URL() != url {
		t.Fatalf("URL changed across Down/Up: %s -> %s", url, s.URL())
	}
	if status, _, _ := post(t, url+"/_bulk", "application/x-ndjson", body); status != 200 {
		t.Fatalf("after Up: status %d", status)
	}
}

// TestOpenSearchFlavour: GET / answers as OpenSearch does, no answer names
// Elasticsearch, and so the official client's product check refuses it.
func TestOpenSearchFlavour(t *testing.T) {
	s := start(t, Options{OpenSearch: true})
	res, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Version struct{ Distribution, Number string }
	}
	err = json.NewDecoder(res.Body).Decode(&info)
	res.Body.Close()
	if err != nil || info.Version.Distribution != "opensearch" || info.Version.Number != "2.19.6" {
		t.Errorf("GET /: %v %+v; want distribution opensearch 2.19.6", err, info)
	}
	status, hdr, _ := post(t, s.URL()+"/_bulk", "application/x-ndjson", "{\"index\":{\"_index\":\"a\"}}\n{\"f\":1}\n")
	if status != 200 || hdr.Get("X-Elastic-Product") != "" {
		t.Errorf("bulk: status %d, X-Elastic-Product %q; want 200 and none", status, hdr.Get("X-Elastic-Product"))
	}
	c, err := es.NewClient(es.Config{Addresses: []string{s.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Info(); err == nil || !strings.Contains(err.Error(), "not Elasticsearch") {
		t.Errorf("official client against the OpenSearch flavour: %v; want the product check's refusal", err)
	}
}
