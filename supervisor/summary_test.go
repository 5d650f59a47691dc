package supervisor_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// Under KINIT_OUTPUT=summary stdout gets each run's first 20 lines and its
// warnings and errors; the ring keeps everything.
func TestSummaryOutput(t *testing.T) {
	script := `for i in $(seq 1 30); do echo "[2026-12-07 02:03:04,567] INFO line $i (kafka.Kafka)"; done
echo "[2026-12-07 02:03:04,568] WARN something odd (kafka.server.KafkaServer)"
for i in $(seq 31 40); do echo "[2026-12-07 02:03:04,569] INFO line $i (kafka.Kafka)"; done
echo "java.lang.IllegalStateException: broken" >&2
exit 1`
	s := plan.Service{ID: "k", Argv: []string{"/bin/sh", "-c", script}, Grace: 5 * time.Second,
		Restart: plan.Restart{Policy: plan.PolicyAlways, BackoffMin: 20 * time.Millisecond, BackoffMax: 50 * time.Millisecond}}
	h := start(t, plan.Plan{Services: []plan.Service{s}}, func(o *supervisor.Options) { o.OutputMode = supervisor.OutputSummary })
	_, i := h.rec.wait(t, 0, "k", supervisor.EventExited)
	h.rec.wait(t, i+1, "k", supervisor.EventExited) // a second run
	h.sup.Terminate()
	h.exitCode()
	out := h.out.String()
	for _, want := range []string{"k | [2026-12-07 02:03:04,567] INFO line 1 (kafka.Kafka)\n", "INFO line 20 (kafka.Kafka)\n",
		"k | [2026-12-07 02:03:04,568] WARN something odd", "k | java.lang.IllegalStateException: broken\n"} {
		if c := strings.Count(out, want); c < 2 {
			t.Errorf("stdout has %q %d times, want once per run (2 runs at least):\n%s", want, c, out)
		}
	}
	for _, unwanted := range []string{"INFO line 21 ", "INFO line 40 "} {
		if strings.Contains(out, unwanted) {
			t.Errorf("stdout has %q, past the first 20 lines of a run:\n%s", unwanted, out)
		}
	}
	all, err := h.sup.Logs("k", -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2*42 {
		t.Fatalf("ring has %d lines, want every line of 2 runs (84)", len(all))
	}
	// stdout and stderr are read apart, so only each stream keeps order.
	var stdout []string
	exceptions := 0
	for _, l := range all {
		if l.Stream == "stderr" {
			if l.Line == "java.lang.IllegalStateException: broken" {
				exceptions++
			}
			continue
		}
		stdout = append(stdout, l.Line)
	}
	if exceptions < 2 {
		t.Fatalf("ring has %d exception lines on stderr, want 2", exceptions)
	}
	for i := 1; i <= 40; i++ {
		j := i - 1
		if i > 30 {
			j++ // after the WARN line
		}
		if !strings.Contains(stdout[j], fmt.Sprintf("INFO line %d ", i)) {
			t.Fatalf("ring's stdout line %d is %q, want line %d", j, stdout[j], i)
		}
	}
	if _, err := h.sup.Logs("nope", 1); err != supervisor.ErrUnknownService {
		t.Fatalf("unknown service: %v", err)
	}
}

func TestOutputModeFromEnv(t *testing.T) {
	t.Setenv("KINIT_OUTPUT", "loud")
	_, err := supervisor.New(plan.Plan{Services: []plan.Service{svc("a")}}, supervisor.Options{})
	if err == nil || !strings.Contains(err.Error(), "KINIT_OUTPUT") {
		t.Fatalf("bad KINIT_OUTPUT: %v", err)
	}
	t.Setenv("KINIT_OUTPUT", "")
	t.Setenv("KINIT_LOG_RING", "1TiB")
	_, err = supervisor.New(plan.Plan{Services: []plan.Service{svc("a")}}, supervisor.Options{})
	if err == nil || !strings.Contains(err.Error(), "KINIT_LOG_RING") {
		t.Fatalf("bad KINIT_LOG_RING: %v", err)
	}
}
