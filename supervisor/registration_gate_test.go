package supervisor_test

import (
	"strings"
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// A ZooKeeper-mode broker's readiness takes any registration of its id as
// its own, because every start follows the gate that waits until none is
// left; a plan without that gate is refused rather than run with a probe
// that would count a killed predecessor's registration.
func TestBrokerRegistrationNeedsItsGate(t *testing.T) {
	id, other := 1, 2
	broker := func(gateID *int, connect string) plan.Service {
		s := plan.Service{ID: "kafka-broker", Argv: []string{"/bin/true"},
			Probe: &plan.Probe{Kind: plan.ProbeKafka, ZKConnect: "zk:2181", BrokerID: &id}}
		if gateID != nil {
			s.Waits = []plan.Wait{{Service: "expiry", Remote: []plan.Probe{
				{Kind: plan.ProbeKafka, ZKConnect: connect, BrokerID: gateID, Mode: plan.KafkaUnregistered}}}}
		}
		return s
	}
	for _, tt := range []struct {
		name string
		spec plan.Service
		ok   bool
	}{
		{"gated", broker(&id, "zk:2181"), true},
		{"no gate", broker(nil, ""), false},
		{"gate on another id", broker(&other, "zk:2181"), false},
		{"gate on another ensemble", broker(&id, "zk2:2181"), false},
	} {
		err := supervisor.Validate(plan.Plan{Services: []plan.Service{tt.spec}})
		if tt.ok && err != nil || !tt.ok && (err == nil || !strings.Contains(err.Error(), "unregistered")) {
			t.Errorf("%s: Validate = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
