// Start order: the dependency cycle check, start lanes, and the graces a
// stop must leave for what depends on a service.

package supervisor

import (
	"time"
)

// findCycle returns the ids along a cycle of local waits, or nil.
func findCycle(all []*service) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[*service]int{}
	var stack []*service
	var visit func(s *service) []string
	visit = func(s *service) []string {
		color[s] = grey
		stack = append(stack, s)
		for _, d := range s.deps {
			switch color[d] {
			case grey:
				var ids []string
				for i := len(stack) - 1; i >= 0; i-- {
					ids = append([]string{stack[i].spec.ID}, ids...)
					if stack[i] == d {
						break
					}
				}
				return append(ids, d.spec.ID)
			case white:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[s] = black
		return nil
	}
	for _, s := range all {
		if color[s] == white {
			if c := visit(s); c != nil {
				return c
			}
		}
	}
	return nil
}

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
