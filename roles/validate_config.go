// Checks of one [configs.ID]: its roles, their services, ports and memory
// shares.

package roles

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

func (l *loader) checkConfig(cc *ClusterConfig) {
	cfg := l.cfg
	key := []string{"configs", cc.ID}
	what := "config " + strconv.Quote(cc.ID)
	if len(cc.Roles) == 0 {
		l.errAt(key, "%s maps no role to services", what)
	}
	if cc.Flavor != "" {
		if _, ok := cfg.Flavors[cc.Flavor]; !ok {
			l.errAt(append(key, "flavor"), "%s: unknown flavor %q%s", what, cc.Flavor, choices(slices.Sorted(maps.Keys(cfg.Flavors))))
		}
	}
	inConfig := map[string]bool{}
	kinds := map[string]string{}
	for _, role := range cc.RoleOrder {
		rk := append(append([]string(nil), key...), "roles", role)
		if _, ok := cfg.Roles[role]; !ok {
			l.errAt(rk, "%s: unknown role %q%s", what, role, choices(cfg.RoleOrder))
		}
		seen := map[string]bool{}
		var share float64
		var parts []string
		ports := map[int]string{}
		for _, sid := range cc.Roles[role] {
			s, ok := cfg.Services[sid]
			if !ok {
				l.errAt(rk, "%s: role %q runs unknown service %q%s", what, role, sid, choices(cfg.ServiceOrder))
				continue
			}
			if seen[sid] {
				l.errAt(rk, "%s: role %q lists service %q twice", what, role, sid)
				continue
			}
			seen[sid] = true
			inConfig[sid] = true
			if s.Kind != "" {
				if other, dup := kinds[s.Kind]; dup && other != sid {
					l.errAt(rk, "%s: services %q and %q are both of kind %s; cluster macros need one", what, other, sid, s.Kind)
				}
				kinds[s.Kind] = sid
			}
			sh := cc.Share(s)
			share += sh
			if sh > 0 {
				parts = append(parts, sid+" "+Percent(sh))
			}
			for _, p := range servicePorts(s) {
				if other, dup := ports[p.port]; dup {
					l.errAt(rk, "%s: role %q: port %d is used by both %s and %s", what, role, p.port, other, sid+p.label)
				}
				ports[p.port] = sid + p.label
			}
		}
		if share > 1+1e-9 {
			l.errAt(rk, "%s: role %q: memory shares add up to %s (%s), more than 100%% of the container memory limit",
				what, role, Percent(round4(share)), strings.Join(parts, " + "))
		}
	}
	for sid := range cc.MemoryShares {
		if !inConfig[sid] {
			l.errAt(append(key, "memory_shares", sid), "%s: memory_shares names %q, which no role of this config runs", what, sid)
		}
	}
	for role := range cc.OrdinalOffsets {
		if _, ok := cc.Roles[role]; !ok {
			l.errAt(append(key, "ordinal_offsets", role), "%s: ordinal_offsets names role %q, which this config does not have", what, role)
		}
	}
	// A wait on a service that no role of this config runs can never finish.
	for _, role := range cc.RoleOrder {
		for _, sid := range cc.Roles[role] {
			s, ok := cfg.Services[sid]
			if !ok {
				continue
			}
			for _, w := range s.Waits {
				if _, known := cfg.Services[w.Service]; known && !inConfig[w.Service] && !w.Optional {
					l.errAt(append(append([]string(nil), key...), "roles", role), "%s: service %q waits for %q, which no role of this config runs", what, sid, w.Service)
				}
			}
		}
	}
}

type labelledPort struct {
	port  int
	label string
}

func servicePorts(s *Service) []labelledPort {
	var out []labelledPort
	if s.Port != 0 {
		out = append(out, labelledPort{s.Port, ""})
	}
	for _, name := range slices.Sorted(maps.Keys(s.Ports)) {
		out = append(out, labelledPort{s.Ports[name], " (" + name + ")"})
	}
	return out
}

func round4(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 4, 64), 64)
	return v
}
