package supervisor

import (
	"os"
	"time"

	"github.com/kinit/kinit/internal/procfs"
	"golang.org/x/sys/unix"
)

// serviceVar marks each process of a service in its environment. Unlike
// the process group it survives setsid and setpgid, so it is how kinit
// finds the helpers a service left behind.
const serviceVar = "KINIT_SERVICE"

// SweepGrace is how long the end-of-stop sweep waits after its SIGTERM
// before it sends SIGKILL; within a stop it ends by sweepEnd.
var SweepGrace = 2 * time.Second

// sweepEnd bounds the sweep within stopOverrun (see knobs.go).
const sweepEnd = 400 * time.Millisecond

// killEscapees kills the processes of svc left once its main process is
// gone, those still in its process group and those that left it: as live
// leftovers they would hold the port, the data directory lock or the pipe
// of the next run.
func (s *Supervisor) killEscapees(svc *service) {
	mark := serviceVar + "=" + svc.spec.ID
	var pids []int
	for _, pid := range procfs.Descendants(os.Getpid()) {
		if procfs.HasEnv(pid, mark) {
			pids = append(pids, pid)
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
	if len(pids) > 0 {
		s.log.Warn("killed processes the service left behind", "service", svc.spec.ID, "pids", pids)
	}
}

// sweep ends what is still alive once every service has stopped: as PID 1
// every process of the namespace (when PID 1 exits the kernel would
// SIGKILL them with no chance to flush), else everything below kinit. Like
// the last stage of an init: SIGTERM, a short wait, SIGKILL.
func (s *Supervisor) sweep() {
	left := s.leftovers()
	if len(left) == 0 {
		return
	}
	s.log.Warn("processes left after every service stopped; sending SIGTERM", "pids", left)
	for _, pid := range left {
		_ = unix.Kill(pid, unix.SIGTERM)
	}
	if s.waitGone(s.boundedByStop(SweepGrace, sweepEnd)) {
		return
	}
	left = s.leftovers()
	s.log.Warn("processes still there after SIGTERM; sending SIGKILL", "pids", left)
	s.unclean = true
	for _, pid := range left {
		_ = unix.Kill(pid, unix.SIGKILL)
	}
	s.waitGone(s.boundedByStop(killWait, sweepEnd+50*time.Millisecond))
}

// leftovers lists the live processes the sweep is for. Zombies are left
// to the reaper.
func (s *Supervisor) leftovers() []int {
	self := os.Getpid()
	if self != 1 {
		return procfs.Descendants(self)
	}
	var out []int
	for _, pid := range procfs.Pids() {
		if p, err := procfs.Stat(pid); err == nil && pid != 1 && p.State != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

// waitGone polls until no leftover is alive or d has passed.
func (s *Supervisor) waitGone(d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		if len(s.leftovers()) == 0 {
			return true
		}
		if !time.Now().Before(end) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
