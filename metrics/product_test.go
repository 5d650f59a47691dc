package metrics

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	esstandin "github.com/kinit/kinit/standins/elasticsearch"
)

func TestProductOf(t *testing.T) {
	es := http.Header{"X-Elastic-Product": {"Elasticsearch"}}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Product
		known  bool
	}{
		{"elasticsearch", 200, es, `{"version":{"number":"8.15.0","build_flavor":"default"}}`, ProductElasticsearch, true},
		{"elasticsearch without the monitor privilege", 403, es, `{"error":{"type":"security_exception"}}`, ProductElasticsearch, true},
		{"opensearch", 200, http.Header{}, `{"version":{"distribution":"opensearch","number":"2.19.6"}}`, ProductOpenSearch, true},
		{"opensearch refusing GET /", 403, http.Header{}, `{"error":{"type":"security_exception"}}`, ProductElasticsearch, false},
		{"something else", 200, http.Header{}, `{"version":{"number":"7.10.2"}}`, ProductElasticsearch, false},
		{"not json", 200, http.Header{}, `<html>`, ProductElasticsearch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, known := productOf(tt.status, tt.header, []byte(tt.body))
			if p != tt.want || known != tt.known {
				t.Errorf("productOf = %v, %v; want %v, %v", p, known, tt.want, tt.known)
			}
		})
	}
}

// TestProductDetection: GET / is asked once, before the template and the
// first write, and picks the path; a forced product asks nothing; the
// Elasticsearch path still refuses a server that is not Elasticsearch.
func TestProductDetection(t *testing.T) {
	tests := []struct {
		name       string
		opensearch bool
		force      Product
		want       string // State.Product
		wantError  string // "" when delivery must succeed
		wantInfo   int    // GET / requests
	}{
		{"auto, elasticsearch", false, ProductAuto, "elasticsearch", "", 1},
		{"auto, opensearch", true, ProductAuto, "opensearch", "", 1},
		{"forced opensearch", true, ProductOpenSearch, "opensearch", "", 0},
		{"forced elasticsearch against opensearch", true, ProductElasticsearch, "elasticsearch", "not Elasticsearch", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastBackoff(t)
			es := startStandin(t, esstandin.Options{OpenSearch: tt.opensearch})
			sh, _ := runShipper(t, Config{URLs: []string{es.URL()}, Product: tt.force})
			for i := range 3 {
				sh.Enqueue(testDoc(i))
				if tt.wantError == "" {
					testkit.Eventually(t, "delivery", func() bool { return sh.State().Sent == uint64(i+1) })
				}
			}
			st := sh.State()
			if tt.wantError != "" {
				testkit.Eventually(t, "the product check's refusal", func() bool { return strings.Contains(sh.State().LastError, tt.wantError) })
				if st := sh.State(); st.Sent != 0 || len(es.Docs()) != 0 {
					t.Errorf("delivered through the product check to a server that is not Elasticsearch: %+v", st)
				}
			} else if st.Template != "installed" || len(es.Templates()) != 1 || len(es.Docs()) != 3 {
				t.Errorf("template %q (%d stored), %d docs; want installed, 3 docs", st.Template, len(es.Templates()), len(es.Docs()))
			}
			if st.Product != tt.want {
				t.Errorf("product %q, want %q", st.Product, tt.want)
			}
			info := 0
			for _, r := range es.Requests() {
				if r.Method == http.MethodGet && r.Path == "/" {
					info++
				}
			}
			if info != tt.wantInfo {
				t.Errorf("GET / asked %d times; want %d", info, tt.wantInfo)
			}
		})
	}
}

// TestProductDetectionRetried: an engine that answers GET / with 503 is asked
// again after a backoff; nothing is written before the answer.
func TestProductDetectionRetried(t *testing.T) {
	fastBackoff(t)
	es := startStandin(t, esstandin.Options{OpenSearch: true})
	es.SetFault(esstandin.Fault5xx)
	sh, _ := runShipper(t, Config{URLs: []string{es.URL()}})
	sh.Enqueue(testDoc(1))
	testkit.Eventually(t, "a refused GET /", func() bool { return strings.HasPrefix(sh.State().LastError, "http 503") })
	testkit.Eventually(t, "GET / asked again", func() bool { return len(es.Requests()) >= 2 })
	for _, r := range es.Requests() {
		if r.Path != "/" {
			t.Fatalf("%s %s before the product was known", r.Method, r.Path)
		}
	}
	es.SetFault(esstandin.FaultNone)
	testkit.Eventually(t, "delivery", func() bool { return sh.State().Sent == 1 })
	if st := sh.State(); st.Product != "opensearch" || st.Template != "installed" {
		t.Errorf("state %+v; want opensearch, template installed", st)
	}
}
