package node_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/roles"
)

// A plan rule the loader does not repeat is still reported before
// anything starts, at the kinit.toml line of the key it breaks, and every
// such problem at once.
func TestPlanProblemsAtTheirLine(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(must(os.ReadFile(shipped))), "\n")
	p := render(t, cfg, cfg.Configs["production"], "production", "broker")
	kb := p.Service("kafka-broker")
	kb.Restart.Policy = "sometimes"
	kb.Probe.Timeout = -time.Second
	kb.Waits[0].Timeout = -time.Second
	_, err = node.SupervisorPlan(p, base)
	if err == nil {
		t.Fatal("a broken plan passed")
	}
	msg := err.Error()
	// Each problem names the plan key and sits at a line of the shipped
	// file that holds the config key it comes from.
	for _, tt := range []struct{ planKey, line string }{
		{"services.kafka-broker.restart.policy", "policy"},
		{"services.kafka-broker.probe", "[services.kafka-broker.ready]"},
		{"services.kafka-broker.waits[0].timeout", kb.Waits[0].Service},
	} {
		re := regexp.MustCompile(regexp.QuoteMeta(shipped) + `:(\d+): ` + regexp.QuoteMeta(tt.planKey) + `\b`)
		m := re.FindStringSubmatch(msg)
		if m == nil {
			t.Errorf("no %s problem at a line of %s in:\n%s", tt.planKey, shipped, msg)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(lines) || !strings.Contains(lines[n-1], tt.line) {
			t.Errorf("%s reported at line %d, which does not hold %q", tt.planKey, n, tt.line)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
