// Package testbin builds the repository's programs for tests that run them
// as real processes. Each package is built at most once per test binary, into
// one temporary directory that every user can read (some tests run services
// as nobody); TestMain calls Cleanup once m.Run is done.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sync"
)

// The packages tests build.
const (
	Kinit      = "github.com/kinit/kinit/cmd/kinit"
	Testprog   = "github.com/kinit/kinit/supervisor/internal/testprog"
	Plandriver = "github.com/kinit/kinit/supervisor/internal/plandriver"
)

type result struct {
	path string
	err  error
}

var (
	mu    sync.Mutex // held through a build, so a package is built once
	dir   string
	built = map[string]result{}
)

// Build returns the path of pkg (an import path) built the way `make build`
// builds kinit: -trimpath and static. The test's environment passes through
// (GOCACHE, GOFLAGS, ...) with CGO_ENABLED=0 on top, so the binary is the
// shipped kind even when `go test` itself runs with cgo for -race.
func Build(pkg string) (string, error) { return build(pkg, false) }

// BuildRace returns the path of pkg built with the race detector (and so
// with cgo, which it needs); a test then looks for "DATA RACE" in the
// program's stderr.
func BuildRace(pkg string) (string, error) { return build(pkg, true) }

// MustBuild is Build for TestMain: when the build fails it prints why,
// removes what was built and exits 1.
func MustBuild(pkg string) string { return must(build(pkg, false)) }

// MustBuildRace is BuildRace for TestMain.
func MustBuildRace(pkg string) string { return must(build(pkg, true)) }

func must(path string, err error) string {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		Cleanup()
		os.Exit(1)
	}
	return path
}

func build(pkg string, race bool) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	name := path.Base(pkg)
	if race {
		name += "-race"
	}
	if r, ok := built[name]; ok {
		return r.path, r.err
	}
	r := result{path: filepath.Join(dir, name)}
	if dir == "" {
		r.err = makeDir()
		r.path = filepath.Join(dir, name)
	}
	if r.err == nil {
		r.err = goBuild(r.path, pkg, race)
	}
	built[name] = r
	return r.path, r.err
}

func makeDir() error {
	d, err := os.MkdirTemp("", "kinit-testbin-")
	if err != nil {
		return fmt.Errorf("cannot create a directory for test binaries: %w", err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		os.RemoveAll(d)
		return fmt.Errorf("cannot open the test binaries' directory to every user: %w", err)
	}
	dir = d
	return nil
}

func goBuild(out, pkg string, race bool) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		//lint:ignore SA1019 without go on PATH, the toolchain that built this test binary is the one to use
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	args := []string{"build", "-trimpath", "-o", out}
	cgo := "CGO_ENABLED=0"
	if race {
		args = append(args, "-race")
		cgo = "CGO_ENABLED=1"
	}
	cmd := exec.Command(goTool, append(args, pkg)...)
	cmd.Env = append(os.Environ(), cgo)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cannot build %s: %v\n%s", pkg, err, msg)
	}
	return nil
}

// Cleanup removes every binary built so far.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
	}
	dir, built = "", map[string]result{}
}
