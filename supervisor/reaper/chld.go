//go:build linux && (amd64 || arm64)

package reaper

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Go installs its own SIGCHLD handler, so every exit interrupts a thread
// and wakes os/signal's goroutine, then the reaper's: three hand-overs per
// orphan, which made a storm of 20,000 exits cost kinit 40 times tini's
// wake-ups. With SIGCHLD at SIG_DFL (whose action is to ignore it, unlike
// SIG_IGN, which would make the kernel discard the exit statuses) the
// kernel sends nothing at all, and a blocking wait4 is woken by the exit
// itself. chldSwitch flips between that and Go's handler, which the
// reaper needs only while it has no child to wait on.

// sigaction is the kernel's struct sigaction on amd64 and arm64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

type chldSwitch struct{ goHandler sigaction }

func rtSigaction(act, old *sigaction) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), unsafe.Sizeof(act.mask), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// newChldSwitch records Go's handler (installed by signal.Notify before
// this is called); nil when it cannot be read.
func newChldSwitch() *chldSwitch {
	c := &chldSwitch{}
	if rtSigaction(nil, &c.goHandler) != nil || c.goHandler.handler == 0 {
		return nil
	}
	return c
}

// quiet sets SIG_DFL: exits wake only a wait4 blocked on them.
func (c *chldSwitch) quiet() { _ = rtSigaction(&sigaction{}, nil) }

// loud gives SIGCHLD back to Go's handler, and so to os/signal.
func (c *chldSwitch) loud() { _ = rtSigaction(&c.goHandler, nil) }
