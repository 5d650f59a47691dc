// The rules the config loader applies at a kinit.toml line and Validate
// applies to a plan: each written once, here.

package plan

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kinit/kinit/internal/sigtab"
)

// The one-shot rules: such a service is done when it exits 0, so nothing
// probes it, and only it declares files it creates.
var (
	ErrOneShotProbe      = errors.New("a one-shot service has no ready probe: it is done when it exits 0")
	ErrCreatesNotOneShot = errors.New("creates is for one-shot services (oneshot = true)")
)

// CheckCreate is the rule for one path of creates: absolute.
func CheckCreate(path string) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("%q is not an absolute path", path)
	}
	return nil
}

// CheckTrigger is the rule for a probe's trigger: a regular expression
// that compiles.
func CheckTrigger(expr string) error {
	_, err := regexp.Compile(expr)
	return err
}

// CheckForward is the rule for a forwarded signal: one of sigtab's
// forwardable rows (SIGTERM and SIGINT stop kinit itself).
func CheckForward(sig Signal) error {
	if row, ok := sigtab.Lookup(sig.Num()); !ok || !row.Forward {
		return fmt.Errorf("%s cannot be forwarded (only %s can; SIGTERM and SIGINT stop kinit)", sig, strings.Join(sigtab.Forwardable(), ", "))
	}
	return nil
}

// ParseForwardSignal reads a signal as ParseSignal does and applies
// CheckForward.
func ParseForwardSignal(s string) (Signal, error) {
	sig, err := ParseSignal(s)
	if err != nil {
		return 0, err
	}
	if err := CheckForward(sig); err != nil {
		return 0, err
	}
	return sig, nil
}
