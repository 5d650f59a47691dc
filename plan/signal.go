package plan

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/internal/sigtab"
)

// Signal is a signal number. In JSON (plandriver's plans, node's
// testdata) it is the name internal/sigtab gives it, so plans stay
// readable; the name is parsed once, when the plan is read or built.
type Signal unix.Signal

// ParseSignal reads "SIGTERM", "term", "15" or "SIGRTMIN+3".
func ParseSignal(s string) (Signal, error) {
	row, err := sigtab.Parse(s)
	if err != nil {
		return 0, err
	}
	return Signal(row.Num), nil
}

// Num is the signal as the kernel numbers it.
func (s Signal) Num() unix.Signal { return unix.Signal(s) }

func (s Signal) String() string { return sigtab.Name(unix.Signal(s)) }

// MarshalText writes the table's name.
func (s Signal) MarshalText() ([]byte, error) {
	if _, ok := sigtab.Lookup(unix.Signal(s)); !ok {
		return nil, fmt.Errorf("cannot name signal %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText accepts what ParseSignal does.
func (s *Signal) UnmarshalText(b []byte) error {
	v, err := ParseSignal(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
