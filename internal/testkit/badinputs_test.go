package testkit

import (
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/safefs"
)

// Each bad input is refused by the operator's read with the words the
// fixture promises, and the read comes back.
func TestBadInputsRefused(t *testing.T) {
	const max = 1 << 20
	for _, in := range BadInputs(t, max) {
		var err error
		Soon(t, "reading "+in.Path, func() { _, err = safefs.ReadRegular(in.Path, max) })
		if err == nil || !strings.Contains(err.Error(), in.Want) {
			t.Errorf("%s: %v, want %q", in.Name, err, in.Want)
		}
	}
}
