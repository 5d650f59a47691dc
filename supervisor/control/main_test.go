package control_test

import (
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/supervisor/internal/reapertest"
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
	code := reapertest.Run(m)
	testbin.Cleanup()
	os.Exit(code)
}
