package supervisor_test

import (
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/supervisor/internal/reapertest"
)

// Binaries built once for the whole package, in a directory every user may
// read, so that services can run as nobody.
var (
	testprog   string
	plandriver string
)

// In-process tests run the supervisor in this process, which becomes the
// subreaper of everything the services fork.
func TestMain(m *testing.M) {
	testprog = testbin.MustBuild(testbin.Testprog)
	plandriver = testbin.MustBuild(testbin.Plandriver)
	code := reapertest.Run(m)
	testbin.Cleanup()
	os.Exit(code)
}
