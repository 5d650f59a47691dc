package node

import (
	"strconv"
	"strings"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// checkPlan runs the plan's one validation on what `kinit up` will hand
// the supervisor and puts each problem at its kinit.toml line. The loader
// checks each field as it reads it; this catches what only the whole plan
// shows (a rule of plan the loader does not repeat, a service macros built
// wrong), still before anything starts, instead of as the supervisor's
// refusal without a line.
func checkPlan(cfg *roles.Config, p plan.Plan, problems *roles.Collector) {
	for _, pe := range plan.PathErrors(p.Validate()) {
		problems.Add(cfg.File, cfg.Line(configKey(p, pe.Path)...), "%v", pe)
	}
}

// planToConfig names a plan field as kinit.toml writes it, where the two
// differ.
var planToConfig = map[string]string{"argv": "command", "probe": "ready", "min_ready": "min"}

// configKey turns a plan key path ("services.kafka-broker.probe.timeout",
// "services.b.waits[1].timeout") into kinit.toml's key
// (services, kafka-broker, ready, timeout; services, b, waits, <the
// service waited for>, timeout). Positions fall back to the nearest key
// written, so a path into a remote probe lands on its wait.
func configKey(p plan.Plan, path string) []string {
	rest, ok := strings.CutPrefix(path, "services.")
	if !ok {
		return []string{path}
	}
	var svc *plan.Service
	for i := range p.Services {
		s := &p.Services[i]
		if rest == s.ID || strings.HasPrefix(rest, s.ID+".") {
			svc, rest = s, strings.TrimPrefix(strings.TrimPrefix(rest, s.ID), ".")
			break
		}
	}
	if svc == nil {
		return []string{"services"}
	}
	key := []string{"services", svc.ID}
	for part := range strings.SplitSeq(rest, ".") {
		if part == "" {
			continue
		}
		name, index, indexed := strings.Cut(strings.TrimSuffix(part, "]"), "[")
		if c, ok := planToConfig[name]; ok {
			name = c
		}
		key = append(key, name)
		if !indexed {
			continue
		}
		// A wait is keyed by the service it names; a list entry by its
		// index, as positions records them.
		i, err := strconv.Atoi(index)
		if name == "waits" && err == nil && i < len(svc.Waits) {
			key = append(key, svc.Waits[i].Service)
			continue
		}
		key = append(key, "["+index+"]")
	}
	return key
}
