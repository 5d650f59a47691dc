// Package opensearch runs the real OpenSearch node `make opensearch` lays
// out under .cache/ (scripts/fetch-opensearch.sh, java/opensearch/src) and talks
// to it over HTTP with no client library, so the tests check what the
// server holds rather than what kinit's client believes.
package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kinit/kinit/test/kafkahome"
)

const pom = "java/opensearch/pom.xml"

var versionRe = regexp.MustCompile(`<opensearch\.version>([^<]+)</opensearch\.version>`)

// Home is .cache/opensearch-<version of java/opensearch/pom.xml>; it fails t
// when the jars or the compiled launcher are missing.
func Home(t testing.TB) string {
	t.Helper()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, pom))
	if err != nil {
		t.Fatal(err)
	}
	m := versionRe.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no <opensearch.version>", pom)
	}
	home := filepath.Join(root, ".cache", "opensearch-"+string(m[1]))
	for _, f := range []string{"lib/opensearch-" + string(m[1]) + ".jar", "classes/io/github/kinit/opensearch/Launcher.class"} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Fatalf("opensearch home %s lacks %s: run `make opensearch` (or `make test-deps`) first", home, f)
		}
	}
	return home
}

// Args is the command line of one node serving HTTP on host:port with its
// data under dir: a 256 MiB heap, serial GC, C1 only (it starts faster),
// and no /tmp/hsperfdata file.
func Args(home, host string, port int, dir string) []string {
	return []string{"java", "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
		"-Djava.awt.headless=true", "-cp", filepath.Join(home, "lib", "*") + ":" + filepath.Join(home, "classes"),
		"io.github.kinit.opensearch.Launcher", host, strconv.Itoa(port), dir}
}

// Client is plain HTTP to one node.
type Client struct{ URL string }

var httpClient = &http.Client{Timeout: 30 * time.Second}

// Do sends body (JSON, or nil) and decodes a JSON answer into out (when not
// nil); it returns the status.
func (c Client) Do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s %s: %s: %s", method, path, res.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode, nil
}

// WaitUp polls GET / until the node answers with its version, and returns
// the distribution and version it reports.
func (c Client) WaitUp(ctx context.Context) (distribution, version string, err error) {
	var info struct {
		Version struct {
			Distribution string `json:"distribution"`
			Number       string `json:"number"`
		} `json:"version"`
	}
	for {
		_, err = c.Do(ctx, http.MethodGet, "/", nil, &info)
		if err == nil {
			return info.Version.Distribution, info.Version.Number, nil
		}
		select {
		case <-ctx.Done():
			return "", "", fmt.Errorf("opensearch at %s not up: %w (last: %v)", c.URL, ctx.Err(), err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Hit is one document of a search answer.
type Hit struct {
	Index  string         `json:"_index"`
	ID     string         `json:"_id"`
	Source map[string]any `json:"_source"`
}

// Search runs a query on index after a refresh, so every document written
// before the call is seen; it returns up to size hits, newest first.
func (c Client) Search(ctx context.Context, index string, query map[string]any, size int) ([]Hit, error) {
	if _, err := c.Do(ctx, http.MethodPost, "/"+index+"/_refresh", nil, nil); err != nil {
		return nil, err
	}
	var res struct {
		Hits struct {
			Hits []Hit `json:"hits"`
		} `json:"hits"`
	}
	body := map[string]any{"query": query, "size": size, "sort": []any{map[string]any{"@timestamp": "desc"}}}
	if _, err := c.Do(ctx, http.MethodPost, "/"+index+"/_search", body, &res); err != nil {
		return nil, err
	}
	return res.Hits.Hits, nil
}

// Count is the number of documents in index after a refresh.
func (c Client) Count(ctx context.Context, index string) (int, error) {
	if _, err := c.Do(ctx, http.MethodPost, "/"+index+"/_refresh", nil, nil); err != nil {
		return 0, err
	}
	var res struct {
		Count int `json:"count"`
	}
	_, err := c.Do(ctx, http.MethodGet, "/"+index+"/_count", nil, &res)
	return res.Count, err
}
