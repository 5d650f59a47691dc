package supervisor

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kinit/kinit/internal/cgroup"
	"golang.org/x/sys/unix"
)

// cgroups puts each service in a cgroup of its own below kinit's, where
// the cgroup2 filesystem is writable (a container with a delegated or
// private cgroup namespace): every process of the service, even one that
// called setsid and cleared its environment, is then in that cgroup, and
// killing the service is one write to cgroup.kill. Nothing is enabled in
// subtree_control, so limits stay with the container. Where kinit cannot
// create one, services run in kinit's cgroup and their escapees are found
// by their KINIT_SERVICE variable instead (sweep.go).
type cgroups struct {
	dir string // kinit-<random> below kinit's own cgroup
}

// openCgroups makes the parent of the service cgroups, or says why not.
// The random name keeps two kinits in one cgroup (tests) apart.
func openCgroups() (*cgroups, error) {
	own, ok := cgroup.OwnV2("/")
	if !ok {
		return nil, errors.New("no cgroup2 filesystem mounted")
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	removeStale(own)
	dir := filepath.Join(own, "kinit-"+hex.EncodeToString(b[:]))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	return &cgroups{dir: dir}, nil
}

// removeStale removes the empty cgroups a kinit that was killed left
// below own. rmdir fails on a cgroup that holds a process, so a running
// kinit's services are safe; a run's cgroup is empty only in the instant
// between its mkdir and the clone into it, hence the minute of grace; a
// running kinit's empty parent, if removed, is made again by open.
func removeStale(own string) {
	old := func(path string) bool {
		fi, err := os.Stat(path)
		return err == nil && time.Since(fi.ModTime()) > time.Minute
	}
	stale, _ := filepath.Glob(filepath.Join(own, "kinit-*"))
	for _, dir := range stale {
		runs, _ := os.ReadDir(dir)
		for _, r := range runs {
			if run := filepath.Join(dir, r.Name()); r.IsDir() && old(run) {
				_ = unix.Rmdir(run)
			}
		}
		if old(dir) {
			_ = unix.Rmdir(dir)
		}
	}
}

// runName names the cgroup of one run of a service. Each run gets a fresh
// one: a process cloned into a cgroup that cgroup.kill was written to
// before is killed at birth (seen on Linux 6.18), so a killed run's cgroup
// is never reused.
func runName(id string, run int) string { return id + "." + strconv.Itoa(run) }

// open creates the cgroup name and returns a descriptor of it for
// CLONE_INTO_CGROUP; the caller closes it.
func (c *cgroups) open(name string) (int, error) {
	dir := filepath.Join(c.dir, name)
	for _, d := range []string{c.dir, dir} {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return -1, err
		}
	}
	return unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
}

// kill SIGKILLs every process in the cgroup name: through cgroup.kill
// (Linux 5.14+), else one by one from cgroup.procs until it is empty. The
// emptied cgroup is removed when it can be at once; remove gets the rest.
func (c *cgroups) kill(name string) {
	dir := filepath.Join(c.dir, name)
	defer unix.Rmdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0); err == nil {
		return
	}
	for range 10 {
		b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			return
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				_ = unix.Kill(pid, unix.SIGKILL)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// remove deletes the service cgroups and their parent once empty (after
// the sweep). A cgroup that still holds a process stays, and is logged.
func (c *cgroups) remove(log *slog.Logger) {
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if e.IsDir() {
			rmdirSoon(filepath.Join(c.dir, e.Name()))
		}
	}
	if err := rmdirSoon(c.dir); err != nil {
		log.Warn(fmt.Sprintf("cannot remove the services' cgroups: %v", err))
	}
}

// rmdirSoon retries briefly: a killed process leaves its cgroup a moment
// after it was reaped.
func rmdirSoon(dir string) error {
	var err error
	for range 20 {
		if err = unix.Rmdir(dir); err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}
