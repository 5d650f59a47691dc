package supervisor_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/supervisor/reaper"
)

// Binaries built once for the whole package, in a directory every user may
// read, so that services can run as nobody.
var (
	testprog   string
	plandriver string
)

func TestMain(m *testing.M) {
	testprog = testbin.MustBuild(testbin.Testprog)
	plandriver = testbin.MustBuild(testbin.Plandriver)
	code := testMain(m)
	testbin.Cleanup()
	os.Exit(code)
}

func testMain(m *testing.M) int {
	// In-process tests run the supervisor in this process, which becomes
	// the subreaper of everything the services fork.
	if err := reaper.Run(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer reaper.Shutdown()
	return m.Run()
}
