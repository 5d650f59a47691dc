package node_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/plan"
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

// A probe's command and URLs come from the config and may carry a secret:
// check masks the secrets the rendering knows and a URL's password, as it
// masks the environment.
func TestDescribeMasksProbeSecrets(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "keystore-secret-1"
	r := renderWith(t, cfg, cfg.Configs["production"], "production", "broker",
		roles.Env{"KAFKA_SSL_KEYSTORE_PASSWORD": secret})
	sp, err := node.SupervisorPlan(r, base)
	if err != nil {
		t.Fatal(err)
	}
	kb := &sp.Services[0]
	kb.Probe = &plan.Probe{Kind: plan.ProbeExec, Command: []string{"check", "--password", secret}}
	zk := &kb.Waits[0].Remote[0]
	zk.Kind, zk.URLs = plan.ProbeHTTP, []string{"http://admin:url-secret-2@zk:8080/ready"}
	var out bytes.Buffer
	node.Describe(&out, r, sp)
	text := out.String()
	for _, leaked := range []string{secret, "url-secret-2"} {
		if strings.Contains(text, leaked) {
			t.Errorf("check shows %q:\n%s", leaked, text)
		}
	}
	if !strings.Contains(text, "exec check --password "+macros.Mask) || !strings.Contains(text, "http://admin:xxxxx@zk:8080/ready") {
		t.Errorf("the probes are not shown masked:\n%s", text)
	}
}
