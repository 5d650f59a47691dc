package probe_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/kinit/kinit/supervisor/reaper"
)

// The exec probe starts processes through the reaper.
func TestMain(m *testing.M) {
	if err := reaper.Run(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	reaper.Shutdown()
	os.Exit(code)
}
