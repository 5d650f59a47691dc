// Package up tests the real `kinit up` binary end to end, the way an image
// runs it: a kinit.toml from testdata/, the environment, the control socket
// and the CLI (`kinit status|health|stop|start|restart|check`) as separate
// processes, and small real services (supervisor/internal/testprog).
// TestMain builds both binaries with `go build`; kinit runs as PID 1 of its
// own PID namespace (unshare --pid --fork --mount-proc) where PID-1
// behaviour matters, and as a plain child (subreaper) elsewhere.
//
//   - abc_test.go: issue 4's "Done when" on testdata/abc (A <- B <- C).
//   - control_test.go: `kinit health` exit codes, stop/start/restart.
//   - config_test.go: exit 78 for broken configs and over-provisioned
//     memory, from `kinit up` and `kinit check`, with nothing started or
//     written.
//   - metrics_test.go: issue 6's "Done when", scaled down, against the
//     in-process Elasticsearch stand-in (down, hanging).
//
// Every process a test starts carries a unique marker in its environment,
// so a test can prove from /proc that nothing it started is left.
// The tests need root (PID namespaces); CI runs as root.
package up

import (
	"fmt"
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
)

var (
	kinitBin    string // the kinit binary under test
	testprogBin string // supervisor/internal/testprog
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "test/up: these tests need root (unshare --pid); CI runs as root")
		os.Exit(1)
	}
	// Built the way `make build` does (no race detector: the binaries under
	// test are the shipped kind).
	kinitBin = testbin.MustBuild(testbin.Kinit)
	testprogBin = testbin.MustBuild(testbin.Testprog)
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}
