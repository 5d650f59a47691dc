// The one validation of a plan, and the one place its defaults are
// applied.

package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kinit/kinit/internal/capnames"
	"github.com/kinit/kinit/internal/sigtab"
)

// PathError is one rule a plan breaks, at the key path of the value that
// breaks it ("services.kafka-broker.probe.timeout"), so that a loader can
// map it back to its file and line.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// PathErrors returns the PathErrors err carries (Validate's), in order.
func PathErrors(err error) []*PathError {
	var out []*PathError
	var walk func(error)
	walk = func(err error) {
		if pe, ok := err.(*PathError); ok {
			out = append(out, pe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// errs collects PathErrors.
type errs []error

func (e *errs) add(path, format string, a ...any) {
	*e = append(*e, &PathError{Path: path, Err: fmt.Errorf(format, a...)})
}

// Validate checks a plan without running anything: unique ids, commands,
// known policies, signals, capabilities and probe kinds, waits naming
// services of this node, and no cycle among local waits. Zero fields are
// checked as WithDefaults would fill them. Every problem is reported, each
// a *PathError.
func (p *Plan) Validate() error {
	q := p.WithDefaults()
	var e errs
	if p.StopTimeout < 0 {
		e.add("stop_timeout", "%s is negative", p.StopTimeout)
	}
	ids := map[string]bool{}
	for i, s := range q.Services {
		switch {
		case s.ID == "":
			e.add(fmt.Sprintf("services[%d]", i), "service has no id")
		case strings.ContainsAny(s.ID, "/ \t\n"):
			e.add("services."+s.ID, "id must not contain slashes or spaces")
		case ids[s.ID]:
			e.add("services."+s.ID, "service is defined twice")
		}
		ids[s.ID] = true
	}
	for _, s := range q.Services {
		if s.ID != "" {
			s.validate(ids, &e)
		}
	}
	if len(e) == 0 {
		if cyc := q.cycle(); cyc != nil {
			e.add("services", "services wait on each other in a cycle: %s", strings.Join(cyc, " -> "))
		}
	}
	if len(e) > 0 {
		return fmt.Errorf("invalid plan: %w", errors.Join(e...))
	}
	return nil
}

// WithDefaults returns a copy of p with every zero field that has a
// default filled from the defaults table. It shares nothing with p that
// it changes.
func (p Plan) WithDefaults() Plan {
	if p.StopTimeout == 0 {
		p.StopTimeout = DefaultStopTimeout
	}
	svcs := make([]Service, len(p.Services))
	for i, s := range p.Services {
		svcs[i] = s.withDefaults()
	}
	p.Services = svcs
	return p
}

func (s Service) withDefaults() Service {
	if s.Name == "" {
		s.Name = s.ID
	}
	if s.StopSignal == 0 {
		s.StopSignal = DefaultStopSignal
	}
	if s.Grace == 0 {
		s.Grace = DefaultGrace
	}
	r := &s.Restart
	if r.Policy == "" {
		r.Policy = DefaultPolicy
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
		pr := s.Probe.withDefaults()
		s.Probe = &pr
	}
	waits := make([]Wait, len(s.Waits))
	for i, w := range s.Waits {
		rem := make([]Probe, len(w.Remote))
		for j, pr := range w.Remote {
			rem[j] = pr.withDefaults()
		}
		w.Remote = rem
		waits[i] = w
	}
	s.Waits = waits
	return s
}

func (p Probe) withDefaults() Probe {
	if p.Interval == 0 {
		p.Interval = DefaultProbeInterval
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultProbeTimeout
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = DefaultFailureThreshold
	}
	if p.Kind == ProbeKafka && p.Mode == "" {
		p.Mode = KafkaZK
	}
	return p
}

// validate checks one service (defaults applied); ids are the plan's.
func (s Service) validate(ids map[string]bool, e *errs) {
	at := "services." + s.ID
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		e.add(at+".argv", "no command")
	}
	if _, ok := sigtab.Lookup(s.StopSignal.Num()); !ok {
		e.add(at+".stop_signal", "unknown stop signal %d", int(s.StopSignal))
	}
	for _, sig := range s.ForwardSignals {
		if err := CheckForward(sig); err != nil {
			e.add(at+".forward_signals", "%v", err)
		}
	}
	for _, name := range s.Capabilities {
		if _, _, err := capnames.Parse(name); err != nil {
			e.add(at+".capabilities", "%v", err)
		}
	}
	if s.UID != nil && *s.UID < 0 {
		e.add(at+".uid", "%d is negative", *s.UID)
	}
	if s.GID != nil && *s.GID < 0 {
		e.add(at+".gid", "%d is negative", *s.GID)
	}
	r := s.Restart
	if _, err := ParsePolicy(string(r.Policy)); err != nil {
		e.add(at+".restart.policy", "unknown restart policy %q (want always, on-failure or never)", r.Policy)
	}
	if r.BackoffMin < 0 || r.BackoffMax < r.BackoffMin || r.ResetAfter < 0 {
		e.add(at+".restart", "backoff must satisfy 0 <= min (%s) <= max (%s)", r.BackoffMin, r.BackoffMax)
	}
	if r.Budget < 0 {
		e.add(at+".restart.budget", "restart budget %d is negative (0 means no limit)", r.Budget)
	}
	if s.Grace < 0 {
		e.add(at+".grace", "grace %s is negative", s.Grace)
	}
	if s.Probe != nil {
		s.Probe.validate(at+".probe", e)
		if !s.GatedRegistration() {
			e.add(at+".probe", "a ZooKeeper-mode kafka probe with broker_id needs a remote wait on the same zk_connect in mode unregistered with that broker_id (a killed broker's registration outlives it)")
		}
		if err := CheckTrigger(s.Probe.Trigger); err != nil {
			e.add(at+".probe.trigger", "%v", err)
		}
	}
	switch {
	case s.OneShot && s.Probe != nil:
		e.add(at+".probe", "%w", ErrOneShotProbe)
	case !s.OneShot && len(s.Creates) > 0:
		e.add(at+".creates", "%w", ErrCreatesNotOneShot)
	}
	for _, f := range s.Creates {
		if err := CheckCreate(f); err != nil {
			e.add(at+".creates", "%v", err)
		}
	}
	seen := map[string]bool{}
	local := map[string]bool{}
	for i, w := range s.Waits {
		wat := fmt.Sprintf("%s.waits[%d]", at, i)
		switch {
		case w.Service == "":
			e.add(wat, "a wait names no service")
			continue
		case w.Service == s.ID:
			e.add(wat, "waits on itself")
			continue
		case seen[w.Service]:
			e.add(wat, "waits on %q twice", w.Service)
			continue
		}
		seen[w.Service] = true
		if w.Timeout < 0 {
			e.add(wat+".timeout", "wait on %q: timeout %s is negative", w.Service, w.Timeout)
		}
		if w.Local {
			if !ids[w.Service] {
				e.add(wat, "waits on %q, which this node does not run", w.Service)
				continue
			}
			local[w.Service] = true
			continue
		}
		if len(w.Remote) == 0 {
			e.add(wat, "wait on %q is neither local nor has remote probes", w.Service)
		}
		if w.MinReady < 0 || w.MinReady > len(w.Remote) {
			e.add(wat+".min_ready", "wait on %q: min_ready %d is not within 0..%d", w.Service, w.MinReady, len(w.Remote))
		}
		for j, pr := range w.Remote {
			pr.validate(fmt.Sprintf("%s.remote[%d]", wat, j), e)
		}
	}
	for _, id := range s.RestartWith {
		if !local[id] {
			e.add(at+".restart_with", "restart_with %q must name a local service it waits on", id)
		}
	}
}

// GatedRegistration reports whether a service whose probe looks for its
// own broker registration in ZooKeeper waits, before each start, until no
// broker holds its id (node's stale-registration gate): the supervisor
// relies on it to know that no registration existed when the process
// started. Services without such a probe pass.
func (s Service) GatedRegistration() bool {
	p := s.Probe
	if p == nil || p.Kind != ProbeKafka || (p.Mode != KafkaZK && p.Mode != "") || p.BrokerID == nil {
		return true
	}
	for _, w := range s.Waits {
		for _, r := range w.Remote {
			if r.Kind == ProbeKafka && r.Mode == KafkaUnregistered && r.ZKConnect == p.ZKConnect && r.BrokerID != nil && *r.BrokerID == *p.BrokerID {
				return true
			}
		}
	}
	return false
}

// cycle returns the ids along a cycle of local waits, or nil.
func (p Plan) cycle() []string {
	deps := map[string][]string{}
	for _, s := range p.Services {
		for _, w := range s.Waits {
			if w.Local {
				deps[s.ID] = append(deps[s.ID], w.Service)
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(id string) []string
	visit = func(id string) []string {
		color[id] = grey
		stack = append(stack, id)
		for _, d := range deps[id] {
			switch color[d] {
			case grey:
				i := len(stack) - 1
				for stack[i] != d {
					i--
				}
				return append(append([]string{}, stack[i:]...), d)
			case white:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
		return nil
	}
	for _, s := range p.Services {
		if color[s.ID] == white {
			if c := visit(s.ID); c != nil {
				return c
			}
		}
	}
	return nil
}
