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
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
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
	dir, err := os.MkdirTemp("", "kinit-up-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := 1
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles kinit and testprog the way `make build` does (no race
// detector: the binaries under test are the shipped kind).
func build(dir string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	kinitBin = filepath.Join(dir, "kinit")
	testprogBin = filepath.Join(dir, "testprog")
	for _, b := range []struct{ out, pkg string }{
		{kinitBin, "github.com/kinit/kinit/cmd/kinit"},
		{testprogBin, "github.com/kinit/kinit/supervisor/internal/testprog"},
	} {
		cmd := exec.Command(goTool, "build", "-trimpath", "-o", b.out, b.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("cannot build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return nil
}
