package macros

import (
	"errors"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
	"github.com/kinit/kinit/roles"
)

// budget is what the expansions of one Build may still produce. Each
// expansion is bounded by roles.MaxExpanded and all of them together by
// roles.MaxExpandedTotal, so the work is linear in the config, the
// templates and the environment however their references multiply.
type budget struct {
	left     int
	reported bool // errBudget was reported once; later ones add nothing
}

func newBudget() *budget { return &budget{left: roles.MaxExpandedTotal} }

var errBudget = errors.New("the node's macros, fields and templates together expand to more than " +
	safefs.Size(roles.MaxExpandedTotal))

// limit is the most the next expansion may produce.
func (b *budget) limit() int { return min(roles.MaxExpanded, max(b.left, 0)) }

// expand is roles.Expand within what is left.
func (b *budget) expand(s string, lookup func(string) (string, bool)) (string, []string, error) {
	limit := b.limit()
	out, unknown, err := roles.ExpandMax(s, limit, lookup)
	if err != nil {
		// The work done is charged too, so failing lines cannot
		// repeat it without end.
		b.left -= limit
		if limit < roles.MaxExpanded {
			err = errBudget
		}
		return "", unknown, err
	}
	// Nested expansions (a macro's lookup expands another) charged
	// theirs meanwhile: what is left is judged again.
	if b.left -= len(out); b.left < 0 {
		return "", unknown, errBudget
	}
	return out, unknown, nil
}

// report says whether err is worth reporting: errBudget only once.
func (b *budget) report(err error) bool {
	if err != errBudget {
		return true
	}
	first := !b.reported
	b.reported = true
	return first
}

// replace is strings.ReplaceAll within the same bounds (an autogen
// pattern may occur many times on a line).
func (b *budget) replace(s, pattern, v string) (string, error) {
	limit := b.limit()
	if n := strings.Count(s, pattern); len(s)+n*(len(v)-len(pattern)) > limit {
		if limit < roles.MaxExpanded {
			return "", errBudget
		}
		return "", &roles.TooLongError{Max: limit}
	}
	out := strings.ReplaceAll(s, pattern, v)
	b.left -= len(out)
	return out, nil
}
