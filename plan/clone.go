package plan

import "slices"

// Clone returns a copy of s that shares no slice or pointer with it, so a
// holder of one may change it without reaching the other (the supervisor
// hands its services' specs out this way).
func (s Service) Clone() Service {
	s.Argv = slices.Clone(s.Argv)
	s.Env = slices.Clone(s.Env)
	s.UID = clonePtr(s.UID)
	s.GID = clonePtr(s.GID)
	s.Groups = slices.Clone(s.Groups)
	s.Capabilities = slices.Clone(s.Capabilities)
	if s.Waits != nil {
		waits := make([]Wait, len(s.Waits))
		for i, w := range s.Waits {
			if w.Remote != nil {
				rem := make([]Probe, len(w.Remote))
				for j, p := range w.Remote {
					rem[j] = p.Clone()
				}
				w.Remote = rem
			}
			waits[i] = w
		}
		s.Waits = waits
	}
	if s.Probe != nil {
		p := s.Probe.Clone()
		s.Probe = &p
	}
	s.ForwardSignals = slices.Clone(s.ForwardSignals)
	s.RestartWith = slices.Clone(s.RestartWith)
	s.Creates = slices.Clone(s.Creates)
	return s
}

// Clone returns a copy of p that shares no slice or pointer with it.
func (p Probe) Clone() Probe {
	p.URLs = slices.Clone(p.URLs)
	p.Command = slices.Clone(p.Command)
	p.BrokerID = clonePtr(p.BrokerID)
	p.Bootstrap = slices.Clone(p.Bootstrap)
	p.Security = p.Security.Clone()
	return p
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
