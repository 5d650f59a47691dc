package probe_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kinit/kinit/supervisor/probe"
)

func check(p probe.Prober) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.Check(ctx)
}

func TestTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := check(probe.TCP{Addr: addr}); err != nil {
		t.Fatalf("listening port not ready: %v", err)
	}
	l.Close()
	err = check(probe.TCP{Addr: addr})
	if got, want := probe.Summary(err), addr+" not answering"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
}

func TestHTTP(t *testing.T) {
	var code atomic.Int32
	code.Store(503)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(code.Load()))
	}))
	defer srv.Close()
	p := probe.HTTP{URLs: []string{srv.URL + "/subjects"}}
	if err := check(p); err == nil || !strings.Contains(err.Error(), "answered 503") {
		t.Fatalf("503 gave %v", err)
	}
	code.Store(204)
	if err := check(p); err != nil {
		t.Fatalf("204 gave %v", err)
	}
	code.Store(302)
	if err := check(p); err == nil {
		t.Fatal("a redirect counted as ready")
	}
}

// Several URLs: ready only when every one answers 2xx, and the failure
// names the one that did not.
func TestHTTPEveryURL(t *testing.T) {
	var health atomic.Int32
	health.Store(503)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health/ready" {
			w.WriteHeader(int(health.Load()))
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	p := probe.HTTP{URLs: []string{srv.URL + "/subjects", srv.URL + "/health/ready"}}
	if err := check(p); err == nil || !strings.Contains(err.Error(), "/health/ready") {
		t.Fatalf("health 503 gave %v; want a failure naming /health/ready", err)
	}
	health.Store(200)
	if err := check(p); err != nil {
		t.Fatalf("both 200 gave %v", err)
	}
	p.URLs = append(p.URLs, "http://127.0.0.1:1/never")
	if err := check(p); err == nil {
		t.Fatal("a third URL that refuses counted as ready")
	}
}

func TestExec(t *testing.T) {
	tests := []struct {
		argv []string
		want string // "" means ready
	}{
		{[]string{"/bin/sh", "-c", "exit 0"}, ""},
		{[]string{"/bin/sh", "-c", "echo broker not up; exit 3"}, "exited 3: broker not up"},
		{[]string{"/nonexistent/cmd"}, "cannot run"},
	}
	for _, tt := range tests {
		err := check(probe.Exec{Argv: tt.argv})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.argv, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want %q", tt.argv, err, tt.want)
		}
	}
	// A command that outlives the attempt is killed with its group.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := probe.Exec{Argv: []string{"/bin/sh", "-c", "sleep 60 & sleep 60"}}.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Fatalf("slow command: %v", err)
	}
}

// Until retries with growing pauses and reports every failed attempt.
// A wake-up runs the next attempt at once, not at the end of the pause.
func TestUntilWake(t *testing.T) {
	wake := make(chan struct{}, 1)
	attempts := 0
	done := make(chan error, 1)
	go func() {
		done <- probe.Until(context.Background(), probe.Schedule{First: time.Hour, Max: time.Hour, Wake: wake},
			func(context.Context) error {
				attempts++
				if attempts < 2 {
					return errors.New("not yet")
				}
				return nil
			}, nil)
	}()
	wake <- struct{}{}
	select {
	case err := <-done:
		if err != nil || attempts != 2 {
			t.Fatalf("err %v after %d attempts, want nil after 2", err, attempts)
		}
	case <-time.After(time.Minute):
		t.Fatal("the wake-up did not cut the hour's pause short")
	}
}

func TestUntil(t *testing.T) {
	var attempts []int
	n := 0
	err := probe.Until(context.Background(), probe.Schedule{First: time.Millisecond, Max: 4 * time.Millisecond},
		func(context.Context) error {
			n++
			if n < 5 {
				return &probe.Error{Target: "x", Reason: "not yet"}
			}
			return nil
		},
		func(a int, err error) { attempts = append(attempts, a) })
	if err != nil || n != 5 || len(attempts) != 4 || attempts[3] != 4 {
		t.Fatalf("err %v, %d checks, reports %v", err, n, attempts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := probe.Until(ctx, probe.Schedule{First: time.Millisecond, Max: time.Millisecond},
		func(context.Context) error { return &probe.Error{Target: "x", Reason: "down"} }, nil); err != context.Canceled {
		t.Fatalf("cancelled Until returned %v", err)
	}
}

func TestKafkaBrokersPresent(t *testing.T) {
	one, four := 1, 4
	tests := []struct {
		ids    []int
		want   *int
		min    int
		reason string
	}{
		{nil, nil, 0, "has 0 of 1 brokers registered"},
		{[]int{1}, nil, 0, ""},
		{[]int{1, 2}, nil, 3, "has 2 of 3 brokers registered"},
		{[]int{1, 2, 3}, &one, 3, ""},
		{[]int{1, 2, 3}, &four, 0, "has no broker 4 registered (3 registered)"},
	}
	for _, tt := range tests {
		err := probe.BrokersPresent("zk", tt.ids, tt.want, tt.min)
		if got := strings.TrimPrefix(probe.Summary(err), "zk "); got != tt.reason {
			t.Errorf("ids %v want %v min %d: %q, want %q", tt.ids, tt.want, tt.min, got, tt.reason)
		}
	}
	// With no ZooKeeper here, KafkaZK fails to connect and names its
	// target (the real-server tests come with the integration suite).
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := probe.KafkaZK{Connect: "127.0.0.1:1/kafka"}.Check(ctx)
	if err == nil || !strings.HasPrefix(probe.Summary(err), "127.0.0.1:1/kafka ") {
		t.Fatalf("unreachable zookeeper: %v", err)
	}
}
