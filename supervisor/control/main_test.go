package control_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/supervisor/reaper"
)

// kinit and testprog are built once, into a directory every user may read,
// so the CLI can also run as nobody.
var (
	kinitBin string
	testprog string
)

func TestMain(m *testing.M) {
	kinitBin = testbin.MustBuild(testbin.Kinit)
	testprog = testbin.MustBuild(testbin.Testprog)
	code := testMain(m)
	testbin.Cleanup()
	os.Exit(code)
}

func testMain(m *testing.M) int {
	if err := reaper.Run(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer reaper.Shutdown()
	return m.Run()
}
