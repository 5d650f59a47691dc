package control_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kinit/kinit/supervisor/reaper"
)

// kinit and testprog are built once, into a directory every user may read,
// so the CLI can also run as nobody.
var (
	binDir   string
	kinitBin string
	testprog string
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kinit-control-")
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
	kinitBin, testprog = filepath.Join(dir, "kinit"), filepath.Join(dir, "testprog")
	for bin, pkg := range map[string]string{
		kinitBin: "github.com/kinit/kinit/cmd/kinit",
		testprog: "github.com/kinit/kinit/supervisor/internal/testprog",
	} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "cannot build %s: %v\n", pkg, err)
			return 1
		}
	}
	if err := reaper.Run(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer reaper.Shutdown()
	return m.Run()
}
