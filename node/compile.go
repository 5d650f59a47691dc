package node

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// Compile finishes what Load started with the settings that
// come from kinit's own environment rather than the config: the supervisor
// plan (validated, start lanes computed), the stop deadline and the metrics
// shipper. `kinit check` and `kinit up` share it, so check passes exactly
// when up would go live. Nothing is started and nothing written.
func Compile(np *Rendered, log *slog.Logger) (plan.Plan, *Metrics, error) {
	sp, err := SupervisorPlan(np.Rendering, os.Environ())
	if err != nil {
		return sp, nil, err
	}
	if sp.StopTimeout, err = stopTimeout(); err != nil {
		return sp, nil, err
	}
	if _, err := supervisor.Lanes(sp); err != nil {
		return sp, nil, err
	}
	if ok, msg := supervisor.StopFits(sp); !ok {
		np.Notes = append(np.Notes, msg)
	}
	ag := agentPlan(np.Rendering, os.Environ())
	if ag.note != "" {
		np.Notes = append(np.Notes, ag.note)
	}
	m, err := newMetrics(np, ag, log)
	return sp, m, err
}

// stopTimeout is KINIT_STOP_TIMEOUT: set it a few seconds below the
// runtime's own limit (docker stop -t, terminationGracePeriodSeconds).
func stopTimeout() (time.Duration, error) {
	v := os.Getenv("KINIT_STOP_TIMEOUT")
	if v == "" {
		return 0, nil // the supervisor's default
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("KINIT_STOP_TIMEOUT=%q: want a positive duration such as 55s", v)
	}
	return d, nil
}
