// Start order: start lanes and the graces a stop must leave for what
// depends on a service.

package supervisor

import (
	"time"
)

// lanes groups services by the length of their longest local wait chain.
func lanes(all []*service) [][]string {
	depth := map[*service]int{}
	var get func(s *service) int
	get = func(s *service) int {
		if d, ok := depth[s]; ok {
			return d
		}
		d := 0
		for _, dep := range s.deps {
			d = max(d, get(dep)+1)
		}
		depth[s] = d
		return d
	}
	var out [][]string
	for _, s := range all {
		d := get(s)
		for len(out) <= d {
			out = append(out, nil)
		}
		out[d] = append(out[d], s.spec.ID)
	}
	return out
}

// reserveAfter is the longest chain of grace periods still to come after s
// stops: its dependencies stop only once it has, so s must leave them that
// much of the overall stop deadline.
func reserveAfter(s *service, alive func(*service) bool, memo map[*service]time.Duration) time.Duration {
	if d, ok := memo[s]; ok {
		return d
	}
	var d time.Duration
	for _, dep := range s.deps {
		g := dep.spec.Grace
		if !alive(dep) {
			g = 0
		}
		d = max(d, g+reserveAfter(dep, alive, memo))
	}
	memo[s] = d
	return d
}
