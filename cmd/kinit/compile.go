package main

import (
	"log/slog"
	"os"

	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/supervisor"
)

// compileRuntime finishes what node.Load started with the settings that
// come from kinit's own environment rather than the config: the supervisor
// plan (validated, start lanes computed), the stop deadline and the metrics
// shipper. `kinit check` and `kinit up` share it, so check passes exactly
// when up would go live. Nothing is started and nothing written.
func compileRuntime(np *node.Rendered, log *slog.Logger) (supervisor.Plan, *upMetrics, error) {
	plan, err := node.SupervisorPlan(np.Plan, os.Environ())
	if err != nil {
		return plan, nil, err
	}
	if plan.StopTimeout, err = stopTimeout(); err != nil {
		return plan, nil, err
	}
	if _, err := supervisor.Lanes(plan); err != nil {
		return plan, nil, err
	}
	if ok, msg := supervisor.StopFits(plan); !ok {
		np.Notes = append(np.Notes, msg)
	}
	m, err := newMetrics(np, log)
	return plan, m, err
}
