package supervisor_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

func TestValidate(t *testing.T) {
	ok := func(id string, waits ...string) plan.Service {
		s := plan.Service{ID: id, Argv: []string{"/bin/true"}}
		s.Waits = localWaits(waits...)
		return s
	}
	with := func(s plan.Service, f func(*plan.Service)) plan.Service {
		f(&s)
		return s
	}
	tests := []struct {
		name     string
		services []plan.Service
		wantErr  string // substring; "" means valid
	}{
		{"valid chain", []plan.Service{ok("a"), ok("b", "a"), ok("c", "b")}, ""},
		{"cycle", []plan.Service{ok("a", "c"), ok("b", "a"), ok("c", "b")}, "cycle: a -> c -> b -> a"},
		{"self wait", []plan.Service{ok("a", "a")}, "waits on itself"},
		{"unknown local wait", []plan.Service{ok("a", "zookeeper")}, `waits on "zookeeper", which this node does not run`},
		{"duplicate id", []plan.Service{ok("a"), ok("a")}, "defined twice"},
		{"no id", []plan.Service{{Argv: []string{"x"}}}, "has no id"},
		{"no command", []plan.Service{{ID: "a"}}, "no command"},
		{"bad policy", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Restart.Policy = "sometimes" })}, "unknown restart policy"},
		{"bad signal", []plan.Service{with(ok("a"), func(s *plan.Service) { s.StopSignal = 99 })}, "unknown stop signal"},
		{"numeric signal", []plan.Service{with(ok("a"), func(s *plan.Service) { s.StopSignal = plan.Signal(unix.SIGINT) })}, ""},
		{"bad capability", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Capabilities = []string{"cap_fly"} })}, "unknown capability"},
		{"capability forms", []plan.Service{with(ok("a"), func(s *plan.Service) {
			s.Capabilities = []string{"CAP_NET_BIND_SERVICE", "sys_nice"}
		})}, ""},
		{"probe kind", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Probe = &plan.Probe{Kind: "ping"} })}, "unknown probe kind"},
		{"tcp probe address", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Probe = &plan.Probe{Kind: "tcp", Address: "localhost"} })}, "not host:port"},
		{"http probe url", []plan.Service{with(ok("a"), func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: "http", URLs: []string{"ftp://x"}}
		})}, "bad url"},
		{"kafka probe", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Probe = &plan.Probe{Kind: "kafka"} })}, "needs zk_connect"},
		{"remote wait without probes", []plan.Service{with(ok("a"), func(s *plan.Service) {
			s.Waits = []plan.Wait{{Service: "zookeeper"}}
		})}, "neither local nor has remote probes"},
		{"min_ready too high", []plan.Service{with(ok("a"), func(s *plan.Service) {
			s.Waits = []plan.Wait{{Service: "zookeeper", MinReady: 2, Remote: []plan.Probe{{Kind: "tcp", Address: "zk:2181"}}}}
		})}, "min_ready 2"},
		{"restart_with not a wait", []plan.Service{ok("a"), with(ok("b"), func(s *plan.Service) { s.RestartWith = []string{"a"} })}, "restart_with"},
		{"restart_with a wait", []plan.Service{ok("a"), with(ok("b", "a"), func(s *plan.Service) { s.RestartWith = []string{"a"} })}, ""},
		{"negative budget", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Restart.Budget = -1 })}, "budget -1 is negative"},
		{"negative grace", []plan.Service{with(ok("a"), func(s *plan.Service) { s.Grace = -time.Second })}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := supervisor.Validate(plan.Plan{Services: tt.services})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLanes(t *testing.T) {
	s := func(id string, waits ...string) plan.Service {
		return plan.Service{ID: id, Argv: []string{"x"}, Waits: localWaits(waits...)}
	}
	tests := []struct {
		name     string
		services []plan.Service
		want     [][]string
	}{
		{"diamond", []plan.Service{s("d", "b", "c"), s("b", "a"), s("c", "a"), s("a")}, [][]string{{"a"}, {"b", "c"}, {"d"}}},
		{"independent", []plan.Service{s("x"), s("y")}, [][]string{{"x", "y"}}},
		{"uneven", []plan.Service{s("a"), s("b", "a"), s("c", "a", "b")}, [][]string{{"a"}, {"b"}, {"c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := supervisor.Lanes(plan.Plan{Services: tt.services})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("lanes %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	defer supervisor.FakeBackoffJitter(0)()
	defer supervisor.FakeMinSpawnInterval(time.Second)()
	r := plan.Restart{BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}
	tests := []struct {
		name       string
		failures   int
		sinceSpawn time.Duration
		wasReady   bool
		want       time.Duration
	}{
		{"first", 1, time.Hour, true, 100 * time.Millisecond},
		{"doubles", 3, time.Hour, true, 400 * time.Millisecond},
		{"capped", 10, time.Hour, true, time.Second},
		{"floor when never ready", 1, 200 * time.Millisecond, false, 800 * time.Millisecond},
		{"no floor after the interval", 1, 2 * time.Second, false, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := supervisor.BackoffDelay(r, tt.failures, tt.sinceSpawn, tt.wasReady); got != tt.want {
				t.Fatalf("delay %s, want %s", got, tt.want)
			}
		})
	}
	supervisor.FakeBackoffJitter(0.2)
	for i := 0; i < 100; i++ {
		d := supervisor.BackoffDelay(r, 2, time.Hour, true)
		if d > 200*time.Millisecond || d < 160*time.Millisecond {
			t.Fatalf("jittered delay %s outside [160ms, 200ms]", d)
		}
	}
}
