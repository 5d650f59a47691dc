// [defaults]: the values every service starts from (restart policy,
// probe timing and health checks, grace, stop signal).

package roles

import (
	"time"

	"github.com/kinit/kinit/plan"
)

// serviceDefaults are the [defaults] table after conversion.
type serviceDefaults struct {
	waitTimeout time.Duration
	grace       time.Duration
	signal      string
	restart     plan.Restart
	ready       Probe
}

func (l *loader) defaults(d *rawDefaults) serviceDefaults {
	out := serviceDefaults{
		waitTimeout: l.duration(d.WaitTimeout, plan.DefaultWaitTimeout, "defaults", "wait_timeout"),
		grace:       l.duration(d.Grace, plan.DefaultGrace, "defaults", "grace"),
		signal:      plan.DefaultStopSignal.String(),
	}
	if d.StopSignal != "" {
		sig, err := plan.ParseSignal(d.StopSignal)
		if err != nil {
			l.errAt([]string{"defaults", "stop_signal"}, "stop_signal: %v", err)
		} else {
			out.signal = sig.String()
		}
	}
	base := plan.Restart{Policy: plan.DefaultPolicy, BackoffMin: plan.DefaultBackoffMin,
		BackoffMax: plan.DefaultBackoffMax, ResetAfter: plan.DefaultResetAfter}
	out.restart = l.restart(&d.Restart, base, "defaults", "restart")
	out.ready = Probe{
		Interval:     l.duration(d.Ready.Interval, plan.DefaultProbeInterval, "defaults", "ready", "interval"),
		Timeout:      l.duration(d.Ready.Timeout, plan.DefaultProbeTimeout, "defaults", "ready", "timeout"),
		StartTimeout: l.duration(d.Ready.StartTimeout, plan.DefaultStartTimeout, "defaults", "ready", "start_timeout"),
		Health:       l.health(&d.Ready, Health{CheckInterval: plan.DefaultCheckInterval}, "defaults", "ready"),
	}
	return out
}

// health reads check_interval, failure_threshold and on_unhealthy over base.
func (l *loader) health(t *rawTiming, base Health, key ...string) Health {
	h := base
	at := func(k string) []string { return append(append([]string{}, key...), k) }
	h.CheckInterval = l.duration(t.CheckInterval, base.CheckInterval, at("check_interval")...)
	if t.FailureThreshold != nil {
		if *t.FailureThreshold < 1 {
			l.errAt(at("failure_threshold"), "failure_threshold must be at least 1, got %d", *t.FailureThreshold)
		} else {
			h.FailureThreshold = *t.FailureThreshold
		}
	}
	if t.OnUnhealthy != "" {
		if o, err := plan.ParseOnUnhealthy(t.OnUnhealthy); err != nil {
			l.errAt(at("on_unhealthy"), "%v", err)
		} else {
			h.OnUnhealthy = o
		}
	}
	return h
}

func (l *loader) restart(r *rawRestart, base plan.Restart, key ...string) plan.Restart {
	out := base
	if r.Policy != "" {
		if p, err := plan.ParsePolicy(r.Policy); err != nil {
			l.errAt(append(key, "policy"), "%v", err)
		} else {
			out.Policy = p
		}
	}
	out.BackoffMin = l.duration(r.BackoffMin, base.BackoffMin, append(key, "backoff_min")...)
	out.BackoffMax = l.duration(r.BackoffMax, base.BackoffMax, append(key, "backoff_max")...)
	out.ResetAfter = l.duration(r.ResetAfter, base.ResetAfter, append(key, "reset_after")...)
	if r.Budget != nil {
		out.Budget = *r.Budget
		if *r.Budget < 0 {
			l.errAt(append(key, "budget"), "restart budget must not be negative, got %d", *r.Budget)
		}
	}
	if out.BackoffMax < out.BackoffMin {
		l.errAt(append(key, "backoff_max"), "backoff_max %v is below backoff_min %v", out.BackoffMax, out.BackoffMin)
	}
	return out
}
