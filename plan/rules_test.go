package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kinit/kinit/plan"
)

// The rules the config loader applies at a line are the ones Validate
// applies to a plan: same function, same words.
func TestRulesShared(t *testing.T) {
	if k, err := plan.ParseProbeKind("http"); err != nil || k != plan.ProbeHTTP {
		t.Errorf("ParseProbeKind(http) = %q, %v", k, err)
	}
	if _, err := plan.ParseProbeKind("ping"); err == nil || err.Error() != `unknown probe kind "ping" (want tcp, zookeeper, kafka, http or exec)` {
		t.Errorf("ParseProbeKind(ping) = %v", err)
	}
	if _, err := plan.ParseForwardSignal("SIGINT"); err == nil || !strings.HasPrefix(err.Error(), "SIGINT cannot be forwarded (only SIGHUP") {
		t.Errorf("ParseForwardSignal(SIGINT) = %v", err)
	}
	if sig, err := plan.ParseForwardSignal("hup"); err != nil || sig.String() != "SIGHUP" {
		t.Errorf("ParseForwardSignal(hup) = %v, %v", sig, err)
	}
	if err := plan.CheckCreate("done"); err == nil || err.Error() != `"done" is not an absolute path` {
		t.Errorf("CheckCreate(done) = %v", err)
	}
	if err := plan.CheckTrigger("started ("); err == nil {
		t.Error("CheckTrigger accepted an unclosed group")
	}

	svc := func(edit func(*plan.Service)) error {
		s := plan.Service{ID: "init", Argv: []string{"/bin/true"}}
		edit(&s)
		return (&plan.Plan{Services: []plan.Service{s}}).Validate()
	}
	cases := []struct {
		name string
		edit func(*plan.Service)
		want string
	}{
		{"one-shot probe", func(s *plan.Service) {
			s.OneShot, s.Probe = true, &plan.Probe{Kind: plan.ProbeTCP, Address: "x:1"}
		}, "services.init.probe: " + plan.ErrOneShotProbe.Error()},
		{"creates", func(s *plan.Service) { s.Creates = []string{"/x"} }, "services.init.creates: " + plan.ErrCreatesNotOneShot.Error()},
		{"relative creates", func(s *plan.Service) { s.OneShot, s.Creates = true, []string{"x"} }, `services.init.creates: "x" is not an absolute path`},
		{"trigger", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeTCP, Address: "x:1", Trigger: "("}
		}, "services.init.probe.trigger: error parsing regexp"},
		{"kind", func(s *plan.Service) { s.Probe = &plan.Probe{Kind: "ping"} }, `services.init.probe.kind: unknown probe kind "ping"`},
		{"on_unhealthy", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeTCP, Address: "x:1", OnUnhealthy: "kill"}
		}, `services.init.probe.on_unhealthy: on_unhealthy must be "none" or "restart"`},
	}
	for _, c := range cases {
		err := svc(c.edit)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if err := svc(func(s *plan.Service) { s.Creates = []string{"/x"} }); !errors.Is(err, plan.ErrCreatesNotOneShot) {
		t.Errorf("creates without oneshot: %v is not ErrCreatesNotOneShot", err)
	}
}
