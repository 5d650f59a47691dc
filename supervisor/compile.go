// compile: a plan validated (plan.Validate), its defaults applied, and its
// waits resolved to the services they name.

package supervisor

import (
	"regexp"
	"slices"

	"github.com/kinit/kinit/internal/capnames"
	"github.com/kinit/kinit/plan"
)

// Validate checks a plan without running anything (plan.Validate).
func Validate(p plan.Plan) error { return p.Validate() }

// Lanes returns the start order as lanes: every service of a lane only
// waits (locally) on services of earlier lanes, so a lane starts in
// parallel once the previous one is ready. Stop order is the reverse.
func Lanes(p plan.Plan) ([][]string, error) {
	c, err := compile(p)
	if err != nil {
		return nil, err
	}
	return c.lanes, nil
}

// compiled is a validated plan with defaults filled in and waits resolved
// to services.
type compiled struct {
	plan     plan.Plan
	services []*service
	byID     map[string]*service
	lanes    [][]string
}

func compile(p plan.Plan) (*compiled, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.WithDefaults()
	c := &compiled{plan: p, byID: map[string]*service{}}
	for i, spec := range p.Services {
		svc := &service{spec: spec, idx: i, stopSignal: spec.StopSignal.Num()}
		for _, sig := range spec.ForwardSignals {
			if !slices.Contains(svc.forward, sig.Num()) {
				svc.forward = append(svc.forward, sig.Num())
			}
		}
		for _, name := range spec.Capabilities {
			_, cp, _ := capnames.Parse(name) // validated
			svc.caps = append(svc.caps, cp)
		}
		if spec.Probe != nil && spec.Probe.Trigger != "" {
			svc.trigger = regexp.MustCompile(spec.Probe.Trigger) // validated
		}
		c.byID[spec.ID] = svc
		c.services = append(c.services, svc)
	}
	for _, svc := range c.services {
		for _, w := range svc.spec.Waits {
			if w.Local {
				dep := c.byID[w.Service]
				svc.deps = append(svc.deps, dep)
				dep.dependents = append(dep.dependents, svc)
			}
		}
		for _, id := range svc.spec.RestartWith {
			svc.restartWith = append(svc.restartWith, c.byID[id])
		}
	}
	c.lanes = lanes(c.services)
	return c, nil
}
