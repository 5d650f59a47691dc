// Which search engine kinit ships to, and how it is told: Elasticsearch
// gets the official client with its product check; OpenSearch, which speaks
// the same bulk and index-template APIs but is refused by that check, gets
// the same client's transport (auth, TLS, URLs) without it.

package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// Product is the search engine behind the URLs.
type Product uint8

const (
	// ProductAuto asks the cluster once, with GET /, before the first write.
	ProductAuto Product = iota
	ProductElasticsearch
	ProductOpenSearch
)

func (p Product) String() string {
	switch p {
	case ProductElasticsearch:
		return "elasticsearch"
	case ProductOpenSearch:
		return "opensearch"
	}
	return "auto"
}

// ParseProduct reads KINIT_ES_PRODUCT: auto (or empty), elasticsearch or
// opensearch.
func ParseProduct(v string) (Product, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "auto":
		return ProductAuto, nil
	case "elasticsearch":
		return ProductElasticsearch, nil
	case "opensearch":
		return ProductOpenSearch, nil
	}
	return ProductAuto, fmt.Errorf("want auto, elasticsearch or opensearch")
}

// productOf reads GET /'s answer. Elasticsearch names itself in the
// X-Elastic-Product header (on errors too, so a user without the monitor
// privilege is still recognised); OpenSearch in version.distribution. known
// is false when neither says anything: the default, Elasticsearch, stands.
func productOf(status int, h http.Header, body []byte) (p Product, known bool) {
	if h.Get("X-Elastic-Product") == "Elasticsearch" {
		return ProductElasticsearch, true
	}
	var info struct {
		Version struct {
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	if status/100 == 2 && json.Unmarshal(body, &info) == nil && info.Version.Distribution == "opensearch" {
		return ProductOpenSearch, true
	}
	return ProductElasticsearch, false
}

// detectProduct asks GET / once and picks the API to write with. It reports
// false only when the question must be asked again later (unreachable,
// 429, 5xx); a refusal (401, 403) leaves the default.
func (s *Shipper) detectProduct(ctx context.Context) bool {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := s.plain.Info(s.plain.Info.WithContext(rctx))
	if err != nil {
		s.requestFailed("transport", err.Error())
		return false
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
		s.requestFailed(fmt.Sprintf("http %d", res.StatusCode), errorSummary(body))
		return false
	}
	if res.StatusCode/100 == 2 {
		s.requestOK()
	}
	p, known := productOf(res.StatusCode, res.Header, body)
	if !known {
		s.logOnce("product", slog.LevelWarn,
			"kinit: cannot tell Elasticsearch from OpenSearch; assuming Elasticsearch (KINIT_ES_PRODUCT chooses)",
			"status", res.StatusCode)
	}
	s.useProduct(p)
	s.log.Info("kinit: search engine detected", "product", p.String())
	return true
}

// useProduct picks the API for p; the Run goroutine calls it, or
// NewShipper when the product is forced.
func (s *Shipper) useProduct(p Product) {
	s.api = s.es.API
	if p == ProductOpenSearch {
		s.api = s.plain
	}
	s.mu.Lock()
	s.st.Product = p.String()
	s.mu.Unlock()
}
