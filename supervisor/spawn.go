package supervisor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/kinit/kinit/supervisor/reaper"
	"golang.org/x/sys/unix"
)

// startProcess executes a service in its own process group, with its
// credentials, capabilities and no_new_privs, its output on pipes that
// kinit forwards line by line, and in a cgroup of its own where kinit can
// make one.
func (s *Supervisor) startProcess(svc *service) (proc *os.Process, exited <-chan reaper.Status, err error) {
	err = spawnReserve.spawn(func() error {
		proc, exited, err = s.startProcessOnce(svc)
		return err
	})
	return proc, exited, err
}

func (s *Supervisor) startProcessOnce(svc *service) (*os.Process, <-chan reaper.Status, error) {
	if s.cg == nil {
		return s.launch(svc, -1)
	}
	// Born in its cgroup (clone3 CLONE_INTO_CGROUP): no moment in kinit's,
	// so nothing it forks can slip out before a move.
	svc.cgroup = runName(svc.spec.ID, svc.spawns)
	fd, err := s.cg.open(svc.cgroup)
	if err == nil {
		defer unix.Close(fd)
		var proc *os.Process
		var exited <-chan reaper.Status
		if proc, exited, err = s.launch(svc, fd); err == nil {
			return proc, exited, nil
		}
	}
	// Out of descriptors says nothing about cgroups: the caller retries
	// with its reserve.
	if errors.Is(err, unix.EMFILE) {
		return nil, nil, err
	}
	// A start that fails only in a cgroup (a kernel before 5.7 has no
	// CLONE_INTO_CGROUP; a cgroup may refuse processes) makes every service
	// share kinit's cgroup from now on; one that fails anyway is the
	// service's own failure, and cgroups stay.
	proc, exited, plainErr := s.launch(svc, -1)
	if plainErr != nil {
		return nil, nil, plainErr
	}
	s.log.Warn("services cannot start in cgroups of their own here; they share kinit's from now on, and escaped helpers are found by their KINIT_SERVICE variable",
		"service", svc.spec.ID, "err", fmt.Sprint(err))
	s.cg.kill(svc.cgroup)
	s.cg.remove(s.log)
	s.cg, svc.cgroup = nil, ""
	return proc, exited, nil
}

// launch starts svc's process; cgFD, when not -1, is the cgroup it is born in.
func (s *Supervisor) launch(svc *service, cgFD int) (*os.Process, <-chan reaper.Status, error) {
	spec := svc.spec
	path, err := lookPath(spec.Argv[0], spec.Env)
	if err != nil {
		return nil, nil, err
	}
	// A fresh slice (never nil, which would mean kinit's environment) that
	// also marks every descendant, whatever group or session it moves to.
	env := append(append(make([]string, 0, len(spec.Env)+2), spec.Env...), serviceVar+"="+spec.ID)
	if s.opts.StartEnv != nil {
		env = s.opts.StartEnv(spec.ID, env)
	}
	wake, err := newReadyWake(svc.trigger, spec.Probe != nil && spec.Probe.Notify, notifyName(spec.ID, svc.spawns))
	if err != nil {
		s.log.Warn(fmt.Sprintf("service %q: %v; readiness is probed without it", spec.ID, err), "service", spec.ID)
	}
	if e := wake.env(); e != "" {
		env = append(env, e)
	}
	svc.wake = wake
	cmd := &exec.Cmd{Path: path, Args: spec.Argv, Env: env, Dir: spec.Dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if cgFD >= 0 {
		cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, cgFD
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		wake.disarm()
		return nil, nil, fmt.Errorf("cannot create output pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		wake.disarm()
		return nil, nil, fmt.Errorf("cannot create output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	exited, err := credsOf(spec).start(cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		wake.disarm()
		return nil, nil, err
	}
	s.outputs.Add(2)
	run := &runOutput{service: spec.ID}
	go s.out.pipeOut(outR, run, "stdout", &s.outputs, svc.wake)
	go s.out.pipeOut(errR, run, "stderr", &s.outputs, svc.wake)
	return cmd.Process, exited, nil
}

// startConfined forks from a thread of its own that first sets
// no_new_privs, empties the inheritable set and narrows the capability
// bounding set: all are
// per-thread attributes inherited through fork, and Go offers neither in
// SysProcAttr. The goroutine exits without unlocking its thread, so the
// runtime destroys the thread instead of reusing it for other goroutines.
// (That is also why Pdeathsig is not used: it fires when the forking
// thread exits.)
func startConfined(cmd *exec.Cmd, dropCaps []uintptr) (<-chan reaper.Status, error) {
	type result struct {
		ch  <-chan reaper.Status
		err error
	}
	res := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			res <- result{err: fmt.Errorf("cannot set no_new_privs: %w", err)}
			return
		}
		if err := clearInheritable(); err != nil {
			res <- result{err: err}
			return
		}
		for _, c := range dropCaps {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil && err != unix.EINVAL {
				res <- result{err: fmt.Errorf("cannot drop capability %d: %w", c, err)}
				return
			}
		}
		ch, err := reaper.Start(cmd)
		res <- result{ch, err}
	}()
	r := <-res
	return r.ch, r.err
}

// lookPath resolves a command without a slash through the PATH of the
// service's own environment, falling back to kinit's.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path := os.Getenv("PATH")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("cannot find %q in PATH: %w", name, exec.ErrNotFound)
}

// execFailureCode follows the shell: 127 not found, 126 not executable.
func execFailureCode(err error) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return 127
	}
	return 126
}
