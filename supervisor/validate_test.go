package supervisor_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/supervisor"
)

func TestValidate(t *testing.T) {
	ok := func(id string, waits ...string) supervisor.ServiceSpec {
		s := supervisor.ServiceSpec{ID: id, Argv: []string{"/bin/true"}}
		s.Waits = localWaits(waits...)
		return s
	}
	with := func(s supervisor.ServiceSpec, f func(*supervisor.ServiceSpec)) supervisor.ServiceSpec {
		f(&s)
		return s
	}
	tests := []struct {
		name     string
		services []supervisor.ServiceSpec
		wantErr  string // substring; "" means valid
	}{
		{"valid chain", []supervisor.ServiceSpec{ok("a"), ok("b", "a"), ok("c", "b")}, ""},
		{"cycle", []supervisor.ServiceSpec{ok("a", "c"), ok("b", "a"), ok("c", "b")}, "cycle: a -> c -> b -> a"},
		{"self wait", []supervisor.ServiceSpec{ok("a", "a")}, "waits on itself"},
		{"unknown local wait", []supervisor.ServiceSpec{ok("a", "zookeeper")}, `waits on "zookeeper", which this node does not run`},
		{"duplicate id", []supervisor.ServiceSpec{ok("a"), ok("a")}, "defined twice"},
		{"no id", []supervisor.ServiceSpec{{Argv: []string{"x"}}}, "has no id"},
		{"no command", []supervisor.ServiceSpec{{ID: "a"}}, "no command"},
		{"bad policy", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Restart.Policy = "sometimes" })}, "unknown restart policy"},
		{"bad signal", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.StopSignal = "SIGFOO" })}, "unknown stop signal"},
		{"numeric signal", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.StopSignal = "2" })}, ""},
		{"bad capability", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Capabilities = []string{"cap_fly"} })}, "unknown capability"},
		{"capability forms", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) {
			s.Capabilities = []string{"CAP_NET_BIND_SERVICE", "sys_nice"}
		})}, ""},
		{"probe kind", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Probe = &supervisor.ProbeSpec{Kind: "ping"} })}, "unknown kind"},
		{"tcp probe address", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Probe = &supervisor.ProbeSpec{Kind: "tcp", Address: "localhost"} })}, "not host:port"},
		{"http probe url", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) {
			s.Probe = &supervisor.ProbeSpec{Kind: "http", URLs: []string{"ftp://x"}}
		})}, "bad url"},
		{"kafka probe", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Probe = &supervisor.ProbeSpec{Kind: "kafka"} })}, "needs zk_connect"},
		{"remote wait without probes", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) {
			s.Waits = []supervisor.WaitSpec{{Service: "zookeeper"}}
		})}, "neither local nor has remote probes"},
		{"min_ready too high", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) {
			s.Waits = []supervisor.WaitSpec{{Service: "zookeeper", MinReady: 2, Remote: []supervisor.ProbeSpec{{Kind: "tcp", Address: "zk:2181"}}}}
		})}, "min_ready 2"},
		{"restart_with not a wait", []supervisor.ServiceSpec{ok("a"), with(ok("b"), func(s *supervisor.ServiceSpec) { s.RestartWith = []string{"a"} })}, "restart_with"},
		{"restart_with a wait", []supervisor.ServiceSpec{ok("a"), with(ok("b", "a"), func(s *supervisor.ServiceSpec) { s.RestartWith = []string{"a"} })}, ""},
		{"negative budget", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Restart.Budget = -1 })}, "budget -1 is negative"},
		{"negative grace", []supervisor.ServiceSpec{with(ok("a"), func(s *supervisor.ServiceSpec) { s.Grace = -time.Second })}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := supervisor.Validate(supervisor.Plan{Services: tt.services})
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
	s := func(id string, waits ...string) supervisor.ServiceSpec {
		return supervisor.ServiceSpec{ID: id, Argv: []string{"x"}, Waits: localWaits(waits...)}
	}
	tests := []struct {
		name     string
		services []supervisor.ServiceSpec
		want     [][]string
	}{
		{"diamond", []supervisor.ServiceSpec{s("d", "b", "c"), s("b", "a"), s("c", "a"), s("a")}, [][]string{{"a"}, {"b", "c"}, {"d"}}},
		{"independent", []supervisor.ServiceSpec{s("x"), s("y")}, [][]string{{"x", "y"}}},
		{"uneven", []supervisor.ServiceSpec{s("a"), s("b", "a"), s("c", "a", "b")}, [][]string{{"a"}, {"b"}, {"c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := supervisor.Lanes(supervisor.Plan{Services: tt.services})
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
	r := supervisor.RestartSpec{BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}
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
