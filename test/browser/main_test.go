// Package browser tests the gateway's cluster page as a person sees it:
// a real Kafka broker, kinit running the Control Center stand-in with its
// status listener on, and the page loaded in a real headless Chromium.
package browser

import (
	"os"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
)

// The kinit and stand-in binaries, built once.
var kinitBin, standinBin string

func TestMain(m *testing.M) {
	kinitBin = testbin.MustBuild(testbin.Kinit)
	standinBin = testbin.MustBuild("github.com/kinit/kinit/cmd/kinit-standin-control-center")
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}
