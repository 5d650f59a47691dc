package supervisor_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// deadline only keeps a broken supervisor from hanging the suite; tests
// wait on events and assert no durations.
const deadline = 60 * time.Second

// recorder keeps every lifecycle event and wakes waiters on each.
type recorder struct {
	mu      sync.Mutex
	events  []supervisor.Event
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(e supervisor.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *recorder) all() []supervisor.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]supervisor.Event(nil), r.events...)
}

// waitFrom returns the first event at index >= from that matches.
func (r *recorder) waitFrom(t *testing.T, from int, what string, match func(supervisor.Event) bool) (supervisor.Event, int) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		r.mu.Lock()
		for i := from; i < len(r.events); i++ {
			if match(r.events[i]) {
				e := r.events[i]
				r.mu.Unlock()
				return e, i
			}
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("no event %s; events:\n%s", what, r.dump())
		}
	}
}

// wait returns the first event of kind for service at index >= from.
func (r *recorder) wait(t *testing.T, from int, service string, kind supervisor.EventKind) (supervisor.Event, int) {
	t.Helper()
	return r.waitFrom(t, from, fmt.Sprintf("%s %s (from #%d)", service, kind, from), func(e supervisor.Event) bool {
		return e.Service == service && e.Kind == kind
	})
}

// index is the position of the n-th (from 1) event of kind for service, or -1.
func index(events []supervisor.Event, service string, kind supervisor.EventKind, n int) int {
	for i, e := range events {
		if e.Service == service && e.Kind == kind {
			n--
			if n == 0 {
				return i
			}
		}
	}
	return -1
}

func (r *recorder) dump() string {
	var b strings.Builder
	for i, e := range r.all() {
		fmt.Fprintf(&b, "  #%d %s %s pid=%d code=%d %s\n", i, e.Service, e.Kind, e.Pid, e.ExitCode, e.Message)
	}
	return b.String()
}

// harness is one supervisor running in this process.
type harness struct {
	t    *testing.T
	sup  *supervisor.Supervisor
	rec  *recorder
	out  *testkit.Buffer
	logs *testkit.Buffer
	code chan int
	exit *int
}

type option func(*supervisor.Options)

func start(t *testing.T, plan plan.Plan, opts ...option) *harness {
	t.Helper()
	h := &harness{t: t, rec: newRecorder(), out: &testkit.Buffer{}, logs: &testkit.Buffer{}, code: make(chan int, 1)}
	o := supervisor.Options{
		Logger:  supervisor.NewLogger(h.logs, supervisor.LogText, slog.LevelDebug),
		Output:  h.out,
		OnEvent: h.rec.add,
	}
	for _, f := range opts {
		f(&o)
	}
	sup, err := supervisor.New(plan, o)
	if err != nil {
		t.Fatalf("invalid plan: %v", err)
	}
	h.sup = sup
	go func() { h.code <- sup.Run(context.Background()) }()
	t.Cleanup(func() {
		if h.exit == nil {
			sup.Terminate()
			select {
			case <-sup.Done():
			case <-time.After(deadline / 2):
				sup.Terminate()
				<-sup.Done()
			}
		}
		if t.Failed() {
			t.Logf("kinit log:\n%s\nservice output:\n%s\nevents:\n%s", h.logs, h.out, h.rec.dump())
		}
	})
	return h
}

// exitCode waits for Run to return.
func (h *harness) exitCode() int {
	h.t.Helper()
	if h.exit != nil {
		return *h.exit
	}
	select {
	case c := <-h.code:
		h.exit = &c
		return c
	case <-time.After(deadline):
		h.t.Fatalf("Run did not return; events:\n%s", h.rec.dump())
	}
	return -1
}

func (h *harness) status(id string) supervisor.ServiceStatus {
	h.t.Helper()
	st, ok := h.sup.Snapshot().Service(id)
	if !ok {
		h.t.Fatalf("no service %q in the snapshot", id)
	}
	return st
}

// svc is a testprog service with quick restarts, whatever its exit.
func svc(id string, args ...string) plan.Service {
	return plan.Service{
		ID:    id,
		Argv:  append([]string{testprog, "-name", id}, args...),
		Grace: 10 * time.Second,
		Restart: plan.Restart{Policy: plan.PolicyAlways,
			BackoffMin: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond},
	}
}

// signals parses signal names as a plan's JSON does.
func signals(t *testing.T, names ...string) []plan.Signal {
	t.Helper()
	var out []plan.Signal
	for _, n := range names {
		sig, err := plan.ParseSignal(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sig)
	}
	return out
}

// listening makes s listen on a free port once started and probes that
// port, so "ready" also means its signal handlers are installed.
func listening(t *testing.T, s plan.Service) plan.Service {
	t.Helper()
	addr := freeAddr(t, "127.0.0.1")
	s.Argv = append(s.Argv, "-listen", addr)
	s.Probe = tcpProbe(addr)
	return s
}

func tcpProbe(addr string) *plan.Probe {
	return &plan.Probe{Kind: plan.ProbeTCP, Address: addr, Interval: 50 * time.Millisecond}
}

func localWaits(ids ...string) []plan.Wait {
	var ws []plan.Wait
	for _, id := range ids {
		ws = append(ws, plan.Wait{Service: id, Local: true})
	}
	return ws
}

// freeAddr returns host:port for a port nothing listens on right now.
func freeAddr(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// listenAt opens a listener the test controls (a "remote" instance or a
// readiness gate) and closes it at the end.
func listenAt(t *testing.T, addr string) { testkit.Listen(t, "tcp", addr) }
