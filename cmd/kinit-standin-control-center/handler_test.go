package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestStatusPage(t *testing.T) {
	cfg := Config{ID: "3", Bootstrap: []string{"k1:9092", "k2:9092"}, SchemaRegistryURL: "http://sr:8081", ZooKeeper: "zk:2181"}
	atStart := Cluster{ID: "abc", Brokers: []Broker{{ID: 1, Host: "k1", Port: 9092}}}
	dead := closedPort(t)
	srv := httptest.NewServer(NewHandler(cfg, atStart, time.Unix(0, 0).UTC(), func(ctx context.Context) (Cluster, error) {
		return Describe(ctx, []string{dead}, Security{Protocol: Plaintext})
	}, func() View { return View{} }))
	defer srv.Close()

	resp, body := get(t, srv.URL+"/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"not Confluent Control Center", "k1:9092,k2:9092", "1@k1:9092", "http://sr:8081", "zk:2181", ">abc<", "1970-01-01T00:00:00Z"} {
		if !strings.Contains(body, want) {
			t.Errorf("GET / lacks %q:\n%s", want, body)
		}
	}

	// /health asks the brokers for real; none listens, so it is DOWN.
	resp, body = get(t, srv.URL+"/health")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /health = %d, want 503: %s", resp.StatusCode, body)
	}
	var h Health
	if err := json.Unmarshal([]byte(body), &h); err != nil || h.Status != "DOWN" || h.Error == "" {
		t.Errorf("GET /health body %q (%v), want status DOWN with an error", body, err)
	}

	if resp, _ := get(t, srv.URL+"/nope"); resp.StatusCode != 404 {
		t.Errorf("GET /nope = %d, want 404", resp.StatusCode)
	}
}

func TestMainExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dead := closedPort(t)
	tests := []struct {
		name string
		args []string
		code int
		log  string
	}{
		{"no args", nil, ExitUsage, "usage: kinit-standin-control-center"},
		{"help", []string{"-help"}, ExitOK, "STAND-IN"},
		{"missing file", []string{filepath.Join(dir, "none.properties")}, ExitConfig, "cannot read properties"},
		{"bad config", []string{write("bad.properties", "bootstrap.servers=nohostport\n")}, ExitConfig, "want host:port"},
		{"brokers unreachable", []string{"-broker-wait", "1500ms", write("c3.properties", "bootstrap.servers="+dead+"\n")},
			ExitFailed, "cannot reach kafka brokers " + dead + " within 1.5s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String()+errOut.String(), tt.log) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tt.log, out.String(), errOut.String())
			}
		})
	}
}
