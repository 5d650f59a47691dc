package supervisor_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kinit/kinit/supervisor/reaper"
)

// Binaries built once for the whole package, in a directory every user may
// read, so that services can run as nobody.
var (
	binDir     string
	testprog   string
	plandriver string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kinit-supervisor-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binDir = dir
	testprog = filepath.Join(dir, "testprog")
	plandriver = filepath.Join(dir, "plandriver")
	for bin, pkg := range map[string]string{
		testprog:   "github.com/kinit/kinit/supervisor/internal/testprog",
		plandriver: "github.com/kinit/kinit/supervisor/internal/plandriver",
	} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "cannot build %s: %v\n", pkg, err)
			return 1
		}
	}
	// In-process tests run the supervisor in this process, which becomes
	// the subreaper of everything the services fork.
	if err := reaper.Run(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer reaper.Shutdown()
	return m.Run()
}
