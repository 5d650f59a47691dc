package probe_test

import (
	"os"
	"testing"

	"github.com/kinit/kinit/supervisor/internal/reapertest"
)

// The exec probe starts processes through the reaper.
func TestMain(m *testing.M) { os.Exit(reapertest.Run(m)) }
