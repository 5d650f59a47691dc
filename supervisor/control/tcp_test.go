package control_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control"
)

// countingBackend answers reads with an empty snapshot and counts every
// call that would change a service.
type countingBackend struct{ changes atomic.Int32 }

func (b *countingBackend) Snapshot() supervisor.Snapshot { return supervisor.Snapshot{} }
func (b *countingBackend) Start(context.Context, string) error {
	b.changes.Add(1)
	return nil
}
func (b *countingBackend) Stop(context.Context, string) error {
	b.changes.Add(1)
	return nil
}
func (b *countingBackend) Restart(context.Context, string) error {
	b.changes.Add(1)
	return nil
}
func (b *countingBackend) Signal(context.Context, string, unix.Signal) error {
	b.changes.Add(1)
	return nil
}

func TestStatusListenerReadsOnly(t *testing.T) {
	b := &countingBackend{}
	s, err := control.StartStatus("127.0.0.1:0", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := "http://" + s.Addr().String()

	resp, err := http.Get(base + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/status: %d %v", resp.StatusCode, err)
	}
	if _, ok := st["services"]; !ok {
		t.Errorf("GET /v1/status: no services in %v", st)
	}
	resp, err = http.Get(base + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /v1/health: %d", resp.StatusCode)
	}

	for _, c := range []struct{ method, path string }{
		{"POST", "/v1/services/kafka-broker/restart"},
		{"POST", "/v1/services/kafka-broker/signal/KILL"},
		{"POST", "/v1/status"},
		{"PUT", "/v1/health"},
		{"GET", "/v1/services/kafka-broker/restart"},
		{"GET", "/"},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(""))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := http.StatusNotFound
		if c.path == "/v1/status" || c.path == "/v1/health" {
			want = http.StatusMethodNotAllowed
		}
		if resp.StatusCode != want {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, resp.StatusCode, body, want)
		}
	}
	if n := b.changes.Load(); n != 0 {
		t.Errorf("%d changes reached the backend through the read-only listener", n)
	}
}

func TestStatusListenerOffWithoutEnv(t *testing.T) {
	t.Setenv(control.EnvStatusListen, "")
	s, err := control.StartStatusFromEnv(&countingBackend{}, nil)
	if err != nil || s != nil {
		t.Fatalf("without %s: %v, %v; want no listener", control.EnvStatusListen, s, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("closing the absent listener: %v", err)
	}
}

func TestStatusListenerFromEnv(t *testing.T) {
	t.Setenv(control.EnvStatusListen, "127.0.0.1:0")
	s, err := control.StartStatusFromEnv(&countingBackend{}, nil)
	if err != nil || s == nil {
		t.Fatalf("with %s: %v, %v", control.EnvStatusListen, s, err)
	}
	defer s.Close()
	resp, err := http.Get("http://" + s.Addr().String() + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/status: %d", resp.StatusCode)
	}
}

func TestStatusAddrInvalid(t *testing.T) {
	for _, v := range []string{"9095", "host:", ":0x10", "127.0.0.1:70000"} {
		_, err := control.StatusAddr(func(string) string { return v })
		if err == nil || !strings.Contains(err.Error(), control.EnvStatusListen) {
			t.Errorf("%q: %v, want an error naming %s", v, err, control.EnvStatusListen)
		}
	}
	for _, v := range []string{"0.0.0.0:9095", ":9095", "[::1]:9095", "localhost:9095"} {
		if _, err := control.StatusAddr(func(string) string { return v }); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	// Well-formed but not bindable here (TEST-NET-1 is no local address).
	t.Setenv(control.EnvStatusListen, "192.0.2.1:9095")
	if s, err := control.StartStatusFromEnv(&countingBackend{}, nil); err == nil || !strings.Contains(err.Error(), control.EnvStatusListen) {
		_ = s.Close()
		t.Errorf("192.0.2.1:9095: %v, want an error naming %s", err, control.EnvStatusListen)
	}
}
