package supervisor

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kinit/kinit/internal/capnames"
)

// Validate checks a plan without running anything: unique ids, commands,
// known policies, signals, capabilities and probe kinds, waits naming
// services of this node, and no cycle among local waits. The roles package
// validates configuration with file:line; this is the supervisor's own
// defensive check, so a plan built by hand cannot half-start either.
func Validate(p Plan) error {
	_, err := compile(p)
	return err
}

// Lanes returns the start order as lanes: every service of a lane only
// waits (locally) on services of earlier lanes, so a lane starts in
// parallel once the previous one is ready. Stop order is the reverse.
func Lanes(p Plan) ([][]string, error) {
	c, err := compile(p)
	if err != nil {
		return nil, err
	}
	return c.lanes, nil
}

// compiled is a validated plan with defaults filled in and waits resolved
// to services.
type compiled struct {
	plan     Plan
	services []*service
	byID     map[string]*service
	lanes    [][]string
}

func compile(p Plan) (*compiled, error) {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if p.StopTimeout < 0 {
		fail("stop timeout %s is negative", p.StopTimeout)
	}
	if p.StopTimeout == 0 {
		p.StopTimeout = DefaultStopTimeout
	}
	c := &compiled{byID: map[string]*service{}}
	specs := make([]ServiceSpec, len(p.Services))
	for i, spec := range p.Services {
		spec = withDefaults(spec)
		specs[i] = spec
		svc := &service{spec: spec, idx: i}
		if spec.ID == "" {
			fail("service #%d has no id", i+1)
			continue
		}
		if strings.ContainsAny(spec.ID, "/ \t\n") {
			fail("service %q: id must not contain slashes or spaces", spec.ID)
		}
		if _, dup := c.byID[spec.ID]; dup {
			fail("service %q is defined twice", spec.ID)
			continue
		}
		c.byID[spec.ID] = svc
		c.services = append(c.services, svc)
	}
	p.Services = specs
	c.plan = p
	for _, svc := range c.services {
		errs = append(errs, c.checkService(svc)...)
	}
	if len(errs) == 0 {
		if cyc := findCycle(c.services); cyc != nil {
			errs = append(errs, fmt.Errorf("services wait on each other in a cycle: %s", strings.Join(cyc, " -> ")))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid plan: %w", errors.Join(errs...))
	}
	c.lanes = lanes(c.services)
	return c, nil
}

func withDefaults(s ServiceSpec) ServiceSpec {
	if s.Name == "" {
		s.Name = s.ID
	}
	if s.StopSignal == "" {
		s.StopSignal = "SIGTERM"
	}
	if s.Grace == 0 {
		s.Grace = DefaultGrace
	}
	r := &s.Restart
	if r.Policy == "" {
		r.Policy = PolicyAlways
	}
	if r.BackoffMin == 0 {
		r.BackoffMin = DefaultBackoffMin
	}
	if r.BackoffMax == 0 {
		r.BackoffMax = max(DefaultBackoffMax, r.BackoffMin)
	}
	if r.ResetAfter == 0 {
		r.ResetAfter = DefaultResetAfter
	}
	if s.Probe != nil {
		pr := probeDefaults(*s.Probe)
		s.Probe = &pr
	}
	waits := make([]WaitSpec, len(s.Waits))
	for i, w := range s.Waits {
		rem := make([]ProbeSpec, len(w.Remote))
		for j, pr := range w.Remote {
			rem[j] = probeDefaults(pr)
		}
		w.Remote = rem
		waits[i] = w
	}
	s.Waits = waits
	return s
}

func probeDefaults(p ProbeSpec) ProbeSpec {
	if p.Interval == 0 {
		p.Interval = DefaultProbeInterval
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultProbeTimeout
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = DefaultFailureThreshold
	}
	return p
}

func (c *compiled) checkService(svc *service) []error {
	var errs []error
	s := svc.spec
	fail := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("service %q: "+format, append([]any{s.ID}, a...)...))
	}
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		fail("no command")
	}
	sig, err := parseSignal(s.StopSignal)
	if err != nil {
		fail("%v", err)
	}
	svc.stopSignal = sig
	var ferrs []error
	svc.forward, ferrs = parseForward(s.ForwardSignals)
	for _, err := range ferrs {
		fail("%v", err)
	}
	for _, name := range s.Capabilities {
		_, cp, err := capnames.Parse(name)
		if err != nil {
			fail("%v", err)
			continue
		}
		svc.caps = append(svc.caps, cp)
	}
	for _, id := range []*int{s.UID, s.GID} {
		if id != nil && *id < 0 {
			fail("uid/gid %d is negative", *id)
		}
	}
	r := s.Restart
	switch r.Policy {
	case PolicyAlways, PolicyOnFailure, PolicyNever:
	default:
		fail("unknown restart policy %q (want always, on-failure or never)", r.Policy)
	}
	if r.BackoffMin < 0 || r.BackoffMax < r.BackoffMin || r.ResetAfter < 0 {
		fail("restart backoff must satisfy 0 <= min (%s) <= max (%s)", r.BackoffMin, r.BackoffMax)
	}
	if r.Budget < 0 {
		fail("restart budget %d is negative (0 means no limit)", r.Budget)
	}
	if s.Grace < 0 {
		fail("grace %s is negative", s.Grace)
	}
	if s.Probe != nil {
		if err := checkProbe(*s.Probe); err != nil {
			fail("probe: %v", err)
		}
		if !gatedRegistration(s) {
			fail("probe: a ZooKeeper-mode kafka probe with broker_id needs a remote wait on the same zk_connect with unregistered and that broker_id (a killed broker's registration outlives it)")
		}
		if s.Probe.Trigger != "" {
			re, err := regexp.Compile(s.Probe.Trigger)
			if err != nil {
				fail("probe: trigger: %v", err)
			}
			svc.trigger = re
		}
	}
	switch {
	case s.OneShot && s.Probe != nil:
		fail("a one-shot service has no readiness probe: it is done when it exits 0")
	case !s.OneShot && len(s.Creates) > 0:
		fail("creates is for one-shot services")
	}
	for _, f := range s.Creates {
		if !strings.HasPrefix(f, "/") {
			fail("creates %q is not an absolute path", f)
		}
	}
	seen := map[string]bool{}
	for _, w := range s.Waits {
		switch {
		case w.Service == "":
			fail("a wait names no service")
			continue
		case w.Service == s.ID:
			fail("waits on itself")
			continue
		case seen[w.Service]:
			fail("waits on %q twice", w.Service)
			continue
		}
		seen[w.Service] = true
		if w.Timeout < 0 {
			fail("wait on %q: timeout %s is negative", w.Service, w.Timeout)
		}
		if w.Local {
			dep, ok := c.byID[w.Service]
			if !ok {
				fail("waits on %q, which this node does not run", w.Service)
				continue
			}
			svc.deps = append(svc.deps, dep)
			dep.dependents = append(dep.dependents, svc)
			continue
		}
		if len(w.Remote) == 0 {
			fail("wait on %q is neither local nor has remote probes", w.Service)
		}
		if w.MinReady < 0 || w.MinReady > len(w.Remote) {
			fail("wait on %q: min_ready %d is not within 0..%d", w.Service, w.MinReady, len(w.Remote))
		}
		for _, pr := range w.Remote {
			if err := checkProbe(pr); err != nil {
				fail("wait on %q: %v", w.Service, err)
			}
		}
	}
	for _, id := range s.RestartWith {
		dep, ok := c.byID[id]
		if !ok || !seen[id] || !slicesContains(svc.deps, dep) {
			fail("restart_with %q must name a local service it waits on", id)
			continue
		}
		svc.restartWith = append(svc.restartWith, dep)
	}
	return errs
}

func slicesContains(list []*service, s *service) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
