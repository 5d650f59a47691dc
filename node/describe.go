package node

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
)

// Describe prints what `kinit check` shows: the node and sizing from the
// rendering, then each service as the plan `kinit up` runs describes it
// (its waits, the gates node adds among them, its probe, restart and
// signals, with the plan's defaults filled in), framed by what only the
// rendering knows (command and environment with secrets masked, overrides,
// rendered files). p is SupervisorPlan's (or Compile's) for r.
func Describe(w io.Writer, r *macros.Rendering, p plan.Plan) {
	r.DescribeNode(w)
	fmt.Fprintln(w, "services (start order)")
	for i, s := range p.WithDefaults().Services {
		fmt.Fprintf(w, "  %d. %s (%s)\n", i+1, s.ID, s.Name)
		r.DescribeProcess(w, s.ID)
		describeSupervision(w, s, r.Masker())
		r.DescribeSources(w, s.ID)
	}
	r.DescribeNotes(w)
}

// describeSupervision prints s's waits, readiness, restart and signals.
// Probe commands and URLs are the config's and may carry a secret (an
// exec probe's password argument, a URL's user info): masked as the
// environment is.
func describeSupervision(w io.Writer, s plan.Service, m *macros.Masker) {
	if len(s.Waits) == 0 {
		macros.Field(w, "waits", "-")
	}
	for _, wt := range s.Waits {
		macros.Field(w, "waits", "%s", m.String(describeWait(wt)))
	}
	switch {
	case s.OneShot:
		how := "one-shot: done when it exits 0"
		if len(s.Creates) > 0 {
			how += "; not run when " + strings.Join(s.Creates, " and ") + " exist"
		}
		macros.Field(w, "ready", "%s", how)
	case s.Probe == nil:
		macros.Field(w, "ready", "none (ready once started)")
	default:
		macros.Field(w, "ready", "%s", m.String(describeReadiness(*s.Probe)))
	}
	r := s.Restart
	budget := "unlimited restarts"
	if r.Budget > 0 {
		budget = fmt.Sprintf("budget %d restarts in a row", r.Budget)
	}
	macros.Field(w, "restart", "%s, backoff %s..%s, reset after %s, %s", r.Policy,
		macros.Duration(r.BackoffMin), macros.Duration(r.BackoffMax), macros.Duration(r.ResetAfter), budget)
	if len(s.RestartWith) > 0 {
		macros.Field(w, "restart with", "%s", strings.Join(s.RestartWith, ", "))
	}
	macros.Field(w, "stop", "%s, grace %s", s.StopSignal, macros.Duration(s.Grace))
	if len(s.ForwardSignals) > 0 {
		var names []string
		for _, sig := range s.ForwardSignals {
			names = append(names, sig.String())
		}
		macros.Field(w, "forward", "%s", strings.Join(names, ", "))
	}
	macros.Field(w, "required", "%v", s.Required)
}

func describeWait(wt plan.Wait) string {
	timeout := "no timeout"
	if wt.Timeout > 0 {
		timeout = "timeout " + macros.Duration(wt.Timeout)
	}
	if wt.Local {
		return fmt.Sprintf("%s (local), %s", wt.Service, timeout)
	}
	need := len(wt.Remote)
	if wt.MinReady > 0 {
		need = wt.MinReady
	}
	var probes []string
	for _, pr := range wt.Remote {
		probes = append(probes, probeTarget(pr))
	}
	timing := ""
	if len(wt.Remote) > 0 {
		timing = "; " + probeTiming(wt.Remote[0])
	}
	return fmt.Sprintf("%s (remote), %d of %d ready, %s: %s%s",
		wt.Service, need, len(wt.Remote), timeout, strings.Join(probes, ", "), timing)
}

func describeReadiness(pr plan.Probe) string {
	s := probeTarget(pr) + "; " + probeTiming(pr)
	if pr.StartTimeout > 0 {
		s += ", start within " + macros.Duration(pr.StartTimeout)
	} else {
		s += ", no start limit"
	}
	if pr.Trigger != "" {
		s += fmt.Sprintf(", at once on output matching %q", pr.Trigger)
	}
	if pr.Notify {
		s += ", at once on READY=1 (sd_notify)"
	}
	if pr.CheckInterval > 0 {
		then := "shown unhealthy"
		if pr.OnUnhealthy == plan.OnUnhealthyRestart {
			then = "restarted"
		}
		s += fmt.Sprintf("; checked every %s once ready, %s after %d failures in a row",
			macros.Duration(pr.CheckInterval), then, pr.FailureThreshold)
	}
	return s
}

func probeTiming(pr plan.Probe) string {
	return fmt.Sprintf("every %s, timeout %s", macros.Duration(pr.Interval), macros.Duration(pr.Timeout))
}

// probeTarget says what a probe asks and of whom, as the supervisor will.
func probeTarget(pr plan.Probe) string {
	switch pr.Kind {
	case plan.ProbeTCP:
		return "tcp " + pr.Address
	case plan.ProbeZooKeeper:
		if pr.Address == "" {
			return "zookeeper session through " + pr.ZKConnect
		}
		return "zookeeper " + pr.Address
	case plan.ProbeHTTP:
		urls := make([]string, len(pr.URLs))
		for i, raw := range pr.URLs {
			urls[i] = raw
			if u, err := url.Parse(raw); err == nil {
				urls[i] = u.Redacted()
			}
		}
		return "http " + strings.Join(urls, " and ")
	case plan.ProbeExec:
		return "exec " + strings.Join(pr.Command, " ")
	case plan.ProbeKafka:
		return kafkaTarget(pr)
	}
	return string(pr.Kind)
}

func kafkaTarget(pr plan.Probe) string {
	id := -1
	if pr.BrokerID != nil {
		id = *pr.BrokerID
	}
	boot := strings.Join(pr.Bootstrap, ", ")
	switch pr.Mode {
	case plan.KafkaUnregistered:
		return fmt.Sprintf("kafka: no broker %d registered in %s", id, pr.ZKConnect)
	case plan.KafkaKRaft:
		if id >= 0 {
			return fmt.Sprintf("kafka broker %d unfenced in metadata from %s", id, boot)
		}
		return fmt.Sprintf("kafka: %s unfenced in metadata from %s", brokers(pr.MinBrokers), boot)
	case plan.KafkaQuorum:
		s := "kraft quorum with a leader, asked at " + boot
		if id >= 0 {
			s = fmt.Sprintf("kraft controller %d a voter of a quorum with a leader, asked at %s", id, boot)
		}
		if pr.Address != "" {
			s += "; " + pr.Address + " answers"
		}
		return s
	case plan.KafkaCombined:
		return fmt.Sprintf("kraft node %d a voter of a quorum with a leader (asked at %s), and broker %d unfenced in metadata from %s",
			id, boot, id, pr.Address)
	}
	s := fmt.Sprintf("kafka: %s registered in %s", brokers(pr.MinBrokers), pr.ZKConnect)
	if id >= 0 {
		s = fmt.Sprintf("kafka broker %d registered in %s", id, pr.ZKConnect)
	}
	if pr.Address != "" {
		s += ", " + pr.Address + " accepting"
	}
	return s
}

// brokers counts what a kafka probe without a broker id needs (0 means 1).
func brokers(n int) string {
	if n <= 1 {
		return "at least 1 broker"
	}
	return fmt.Sprintf("at least %d brokers", n)
}
