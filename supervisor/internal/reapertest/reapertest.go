// Package reapertest is the TestMain step shared by the test binaries that
// start services in their own process (the supervisor, its probes, its
// control socket): that process must own wait4(-1) and be the subreaper of
// everything the services fork, as kinit is, so the reaper runs around the
// tests.
package reapertest

import (
	"fmt"
	"os"
	"testing"

	"github.com/kinit/kinit/supervisor/reaper"
)

// Run starts the reaper, runs m's tests and shuts the reaper down; TestMain
// exits with the code it returns, 1 when the reaper cannot start.
func Run(m *testing.M) int {
	if err := reaper.Run(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer reaper.Shutdown()
	return m.Run()
}
