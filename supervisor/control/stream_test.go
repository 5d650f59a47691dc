package control_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control"
	"github.com/kinit/kinit/supervisor/control/client"
)

// streamNode runs real services with the socket, and stops them at the
// end of the test unless the test did.
type streamNode struct {
	sup    *supervisor.Supervisor
	socket string
	cl     *client.Client
	done   chan int
}

func startStreamNode(t *testing.T, services ...plan.Service) *streamNode {
	t.Helper()
	n := &streamNode{socket: filepath.Join(socketDir(t), "kinit.sock"), done: make(chan int, 1)}
	sup, err := supervisor.New(plan.Plan{Node: plan.NodeInfo{Role: "broker", ID: 1}, Services: services},
		supervisor.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Output: io.Discard,
			OutputMode: supervisor.OutputFull, LogRingBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	n.sup = sup
	srv, err := control.Start(n.socket, sup, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.cl = client.New(n.socket)
	go func() { n.done <- sup.Run(context.Background()) }()
	t.Cleanup(func() {
		sup.Terminate()
		select {
		case <-sup.Done():
		case <-time.After(deadline):
			t.Error("supervisor did not stop")
		}
		srv.Close()
	})
	return n
}

// shService runs a shell script as a service that restarts quickly.
func shService(id, script string) plan.Service {
	return plan.Service{ID: id, Argv: []string{"/bin/sh", "-c", script}, Grace: 5 * time.Second,
		Restart: plan.Restart{Policy: plan.PolicyAlways, BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond}}
}

// counter prints "NAME N" lines, one every 5 ms, for ever.
func counter(id string) plan.Service {
	return shService(id, fmt.Sprintf(`i=0; while :; do i=$((i+1)); echo "%s $i"; sleep 0.005; done`, id))
}

func (n *streamNode) logs(t *testing.T, o client.LogsOptions) []client.LogLine {
	t.Helper()
	var got []client.LogLine
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := n.cl.Logs(ctx, o, func(l client.LogLine) error { got = append(got, l); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLogsEndpoint(t *testing.T) {
	n := startStreamNode(t, counter("a"), counter("b"), shService("quiet", "echo to stderr >&2; exec sleep 1000"))
	waitFor(t, "100 lines of a", func() bool { return len(n.logs(t, client.LogsOptions{Service: "a", Lines: 100})) == 100 })

	got := n.logs(t, client.LogsOptions{Service: "a", Lines: 5})
	if len(got) != 5 {
		t.Fatalf("%d lines, want 5", len(got))
	}
	var first int
	for i, l := range got {
		var k int
		if _, err := fmt.Sscanf(l.Line, "a %d", &k); err != nil || l.Service != "a" || l.Stream != "stdout" || l.Time.IsZero() {
			t.Fatalf("line %d: %+v", i, l)
		}
		if i == 0 {
			first = k
		} else if k != first+i {
			t.Fatalf("lines out of order: %+v", got)
		}
	}
	if got := n.logs(t, client.LogsOptions{}); len(got) != 100 {
		t.Fatalf("default: %d lines, want 100", len(got))
	}
	// Every service merged in time order.
	all := n.logs(t, client.LogsOptions{Lines: 400})
	seen := map[string]bool{}
	for i, l := range all {
		seen[l.Service] = true
		if i > 0 && l.Time.Before(all[i-1].Time) {
			t.Fatalf("merged lines out of time order at %d: %+v then %+v", i, all[i-1], l)
		}
	}
	if !seen["a"] || !seen["b"] {
		t.Fatalf("merged lines miss a service: %v", seen)
	}
	q := n.logs(t, client.LogsOptions{Service: "quiet"})
	if len(q) != 1 || q[0].Stream != "stderr" || q[0].Line != "to stderr" {
		t.Fatalf("quiet: %+v", q)
	}

	err := n.cl.Logs(context.Background(), client.LogsOptions{Service: "nope"}, func(client.LogLine) error { return nil })
	var ce *client.Error
	if !errors.As(err, &ce) || ce.StatusCode != http.StatusNotFound || !strings.Contains(ce.Message, `unknown service "nope"`) {
		t.Fatalf("unknown service: %v", err)
	}
	if code, body := curl(t, n.socket, "GET", "/v1/logs?n=x"); code != http.StatusBadRequest || !strings.Contains(string(body), "n=") {
		t.Fatalf("bad n: %d %s", code, body)
	}

	// Following: the tail, then new lines, in order and without a gap.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last, count int
	err = n.cl.Logs(ctx, client.LogsOptions{Service: "b", Lines: 3, Follow: true}, func(l client.LogLine) error {
		var k int
		if _, err := fmt.Sscanf(l.Line, "b %d", &k); err != nil || l.Service != "b" {
			return fmt.Errorf("line %+v", l)
		}
		if last != 0 && k != last+1 {
			return fmt.Errorf("line %d after %d", k, last)
		}
		last = k
		if count++; count == 50 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || count < 50 {
		t.Fatalf("follow: %v after %d lines", err, count)
	}
}

func TestEventsStream(t *testing.T) {
	n := startStreamNode(t, shService("svc", "exec sleep 1000"))
	msgs := make(chan client.Message, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- n.cl.Events(ctx, func(m client.Message) error { msgs <- m; return nil })
	}()
	next := func() client.Message {
		t.Helper()
		select {
		case m := <-msgs:
			if (m.Status == nil) == (m.Event == nil) {
				t.Fatalf("a message must carry a status or an event: %+v", m)
			}
			return m
		case <-time.After(deadline):
			t.Fatal("no message")
		}
		return client.Message{}
	}
	m := next()
	if m.Status == nil || len(m.Status.Services) != 1 || m.Status.Services[0].ID != "svc" {
		t.Fatalf("first message: %+v", m)
	}
	// The service may be ready before the stream connects: then the first
	// status says so, and no later one would.
	var pid int
	if s := m.Status.Services[0]; s.State == "ready" {
		pid = s.Pid
	}
	for pid == 0 {
		if m := next(); m.Status != nil && m.Status.Services[0].State == "ready" {
			pid = m.Status.Services[0].Pid
		}
	}
	if err := n.sup.Signal(context.Background(), "svc", 9); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	statuses := 0
	for {
		m := next()
		if m.Event != nil {
			kinds = append(kinds, m.Event.Kind)
			if m.Event.Kind == "exited" && (m.Event.ExitCode != 137 || m.Event.Signal != "SIGKILL" || m.Event.Pid != pid) {
				t.Fatalf("exited event: %+v", m.Event)
			}
			continue
		}
		statuses++
		if s := m.Status.Services[0]; s.State == "ready" && s.Pid != pid && s.Restarts == 1 {
			break
		}
	}
	if want := "exited restarting started ready"; strings.Join(kinds, " ") != want {
		t.Fatalf("events %q, want %q", kinds, want)
	}

	// Bursts are coalesced: restarts in a tight loop give at most about
	// ten statuses a second.
	for len(msgs) > 0 {
		<-msgs
	}
	from := time.Now()
	for range 20 {
		_ = n.sup.Restart(context.Background(), "svc")
	}
	time.Sleep(300 * time.Millisecond)
	elapsed := time.Since(from)
	statuses = 0
	for len(msgs) > 0 {
		if m := <-msgs; m.Status != nil {
			statuses++
		}
	}
	if max := int(elapsed/(100*time.Millisecond)) + 2; statuses > max {
		t.Fatalf("%d statuses in %v, want at most %d", statuses, elapsed, max)
	}

	// kinit stopping ends the stream after a last status.
	n.sup.Terminate()
	var lastStatus *client.Status
	for lastStatus == nil || lastStatus.Kinit.Phase != "stopped" {
		if m := next(); m.Status != nil {
			lastStatus = m.Status
		}
	}
	select {
	case err := <-errc:
		if !errors.Is(err, client.ErrStreamEnded) {
			t.Fatalf("events after the stop: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("events stream open after kinit stopped")
	}
}

// A reader that never reads costs the supervisor nothing: restarts,
// status and other readers go on, kinit's memory stays bounded, and the
// reader is cut off.
func TestStalledReaders(t *testing.T) {
	defer control.FakeStreamWriteTimeout(300 * time.Millisecond)()
	spam := shService("spam", `yes "spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam"`)
	n := startStreamNode(t, spam, counter("b"))
	waitFor(t, "spam output", func() bool { return len(n.logs(t, client.LogsOptions{Service: "spam", Lines: 10})) == 10 })

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var stalled []net.Conn
	for _, path := range []string{"/v1/logs?follow=1", "/v1/logs?service=spam&follow=1&n=1000", "/v1/events"} {
		c, err := net.Dial("unix", n.socket)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: kinit\r\n\r\n", path); err != nil {
			t.Fatal(err)
		}
		stalled = append(stalled, c)
	}
	// Meanwhile: restarts go through the loop, status answers, and another
	// follower gets its lines.
	for i := range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := n.sup.Restart(ctx, "b"); err != nil {
			t.Fatalf("restart %d with stalled readers: %v", i, err)
		}
		cancel()
		if _, err := n.cl.Status(context.Background()); err != nil {
			t.Fatalf("status with stalled readers: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	lines := 0
	err := n.cl.Logs(ctx, client.LogsOptions{Service: "b", Lines: 0, Follow: true}, func(client.LogLine) error {
		if lines++; lines == 20 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("other follower: %v", err)
	}
	time.Sleep(2 * time.Second) // the flood goes on; the stalled ones are cut off
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Fatalf("heap grew by %d MiB with stalled readers", grew>>20)
	}
	// Each stalled follower was cut off by kinit: reading it now ends.
	drain := func(i int, c net.Conn) {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(deadline))
		nr, err := io.Copy(io.Discard, c)
		if err != nil {
			t.Fatalf("stalled reader %d: still open after %d bytes: %v", i, nr, err)
		}
		if nr > 64<<20 {
			t.Fatalf("stalled reader %d got %d MiB", i, nr>>20)
		}
	}
	drain(0, stalled[0])
	drain(1, stalled[1])
	// The stalled events reader has had little to read (a few restarts)
	// and holds only its slot; kinit's stop ends it.
	n.sup.Terminate()
	drain(2, stalled[2])
}

// Clients that go away give their stream slot back.
func TestStreamsDisconnect(t *testing.T) {
	n := startStreamNode(t, counter("a"))
	for i := range 3 * control.StreamSlots() {
		ctx, cancel := context.WithCancel(context.Background())
		path := "/v1/events"
		if i%2 == 0 {
			path = "/v1/logs?follow=1"
		}
		hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", n.socket)
		}}}
		// A slot comes back once the server has seen the close, which on a
		// loaded machine can take longer than the pause below: busy is
		// retried for a while, never-back fails.
		var resp *http.Response
		for end := time.Now().Add(deadline); ; {
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://kinit"+path, nil)
			r, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if r.StatusCode != http.StatusServiceUnavailable || time.Now().After(end) {
				resp = r
				break
			}
			r.Body.Close()
			time.Sleep(50 * time.Millisecond)
		}
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("stream %d (%s): %s %s", i, path, resp.Status, b)
		}
		if _, err := bufio.NewReader(resp.Body).ReadBytes('\n'); err != nil {
			t.Fatal(err)
		}
		cancel()
		resp.Body.Close()
		// The server notices the close and ends the handler.
		time.Sleep(50 * time.Millisecond)
	}
	// Too many at once: the ones over the limit are told so; status still
	// answers.
	var open []*http.Response
	defer func() {
		for _, r := range open {
			r.Body.Close()
		}
	}()
	busy := false
	for range control.StreamSlots() + 1 {
		code, body, resp := openStream(t, n.socket, "/v1/events")
		if resp != nil {
			open = append(open, resp)
		}
		if code == http.StatusServiceUnavailable {
			busy = strings.Contains(body, "too many open streams")
		}
	}
	if !busy {
		t.Fatal("no stream refused beyond the limit")
	}
	if _, err := n.cl.Status(context.Background()); err != nil {
		t.Fatalf("status with every stream slot taken: %v", err)
	}
}

func openStream(t *testing.T, socket, path string) (int, string, *http.Response) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", socket)
	}}}
	resp, err := hc.Get("http://kinit" + path)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), nil
	}
	return resp.StatusCode, "", resp
}

// While a service starts, its waiting_on line moves without a published
// change: the events stream sends it about once a second.
func TestEventsProgress(t *testing.T) {
	s := shService("slow", "exec sleep 1000")
	s.Probe = &plan.Probe{Kind: "tcp", Address: freeAddr(t), Interval: 100 * time.Millisecond, Timeout: 100 * time.Millisecond, StartTimeout: time.Minute}
	n := startStreamNode(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lines []string
	from := time.Now()
	err := n.cl.Events(ctx, func(m client.Message) error {
		if m.Status == nil {
			return nil
		}
		if w := m.Status.Services[0].WaitingOn; strings.HasPrefix(w, "readiness:") {
			lines = append(lines, w)
		}
		if len(lines) == 4 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(lines) < 4 {
		t.Fatalf("events: %v; waiting_on lines %q", err, lines)
	}
	if d := time.Since(from); d < 2*time.Second {
		t.Fatalf("4 progress statuses within %v: more than one a second", d)
	}
	if lines[0] == lines[3] {
		t.Fatalf("waiting_on did not move: %q", lines)
	}
}

// Closing the server (kinit's exit path) ends open streams at once rather
// than waiting for their clients.
func TestCloseEndsStreams(t *testing.T) {
	n := startStreamNode(t, counter("a"))
	path := filepath.Join(socketDir(t), "second.sock")
	srv, err := control.Start(path, n.sup, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl := client.New(path)
	ends := make(chan error, 2)
	var logsOn, eventsOn sync.WaitGroup
	logsOn.Add(1)
	eventsOn.Add(1)
	logsOnce, eventsOnce := sync.OnceFunc(logsOn.Done), sync.OnceFunc(eventsOn.Done)
	go func() {
		ends <- cl.Logs(context.Background(), client.LogsOptions{Service: "a", Follow: true}, func(client.LogLine) error { logsOnce(); return nil })
	}()
	go func() {
		ends <- cl.Events(context.Background(), func(client.Message) error { eventsOnce(); return nil })
	}()
	logsOn.Wait()
	eventsOn.Wait()
	from := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatalf("close with open streams: %v", err)
	}
	if d := time.Since(from); d > time.Second {
		t.Fatalf("close took %v with open streams", d)
	}
	for range 2 {
		if err := <-ends; !errors.Is(err, client.ErrStreamEnded) {
			t.Fatalf("stream after close: %v", err)
		}
	}
}
