package node_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/roles"
)

// What `kinit check` prints of a ZooKeeper-mode broker is the plan kinit up
// runs: the gate before a start while the killed predecessor's
// registration has not expired is among its waits, after ZooKeeper's.
func TestDescribeShowsRegistrationGate(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	r := render(t, cfg, cfg.Configs["production"], "production", "broker")
	sp, err := node.SupervisorPlan(r, base)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	node.Describe(&out, r, sp)
	var waits []string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "     waits:     "); ok {
			waits = append(waits, v)
		}
	}
	if len(waits) != 2 || !strings.HasPrefix(waits[0], "zookeeper (remote)") ||
		!strings.HasPrefix(waits[1], "expiry of broker 6's old registration (remote)") ||
		!strings.Contains(waits[1], "no broker 6 registered in zookeeper-1.example:2181") {
		t.Errorf("broker waits %q, want zookeeper's then the registration-expiry gate, in:\n%s", waits, out.String())
	}
}
