package supervisor

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// fdReserveSize is how many descriptors kinit keeps back for starting a
// service. One start needs about ten at once: two output pipes, /dev/null
// for stdin, the exec status pipe Go makes, the child's pidfd, the cgroup
// directory and an sd_notify socket.
const fdReserveSize = 12

// spawnReserve is the one reserve of the process: descriptors are a
// per-process limit, whatever number of Supervisors a test runs.
var spawnReserve fdReserve

// fdReserve holds a few descriptors (/dev/null, close-on-exec) so that a
// restart never depends on descriptors something else may hold: when a
// start fails with EMFILE (a client, a probe or a leak took the last
// ones), the reserve is given back and the start tried once more.
type fdReserve struct {
	mu  sync.Mutex
	fds []int
}

// spawn runs start, once more with the reserve given back if it failed for
// want of descriptors, and then takes the reserve again as far as the
// descriptors the new process left allow. The first call takes the
// reserve.
func (r *fdReserve) spawn(start func() error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fill()
	err := start()
	if errors.Is(err, unix.EMFILE) && r.free() {
		err = start()
	}
	r.fill()
	return err
}

func (r *fdReserve) fill() {
	for len(r.fds) < fdReserveSize {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return
		}
		r.fds = append(r.fds, fd)
	}
}

// free closes the reserve; false when there was nothing to give back.
func (r *fdReserve) free() bool {
	n := len(r.fds)
	for _, fd := range r.fds {
		unix.Close(fd)
	}
	r.fds = r.fds[:0]
	return n > 0
}
