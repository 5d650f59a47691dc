//go:build linux && (amd64 || arm64)

package reaper

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The calls below never sleep (WNOHANG, a zero timeout, or calls that
// cannot block), so they are made raw. Go's Syscall tells the scheduler
// the thread may block: the runtime's monitor then wakes every 20 µs to
// take the P from a thread that stays in a syscall, and the thread takes
// it back on return. In a storm the reaper makes tens of thousands of such
// calls, and that hand-off cost kinit about a tenth of its CPU (perf, a
// storm of 20,000 orphans: sysmon 6-7 %, entering and leaving syscalls
// 2-3 %). A raw call keeps the P; the longest of these, a wait4 that walks
// 20,000 children, takes about a millisecond.

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// wait4NoHang is wait4(pid, WNOHANG).
func wait4NoHang(pid int, st *Status) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_WAIT4, uintptr(pid), uintptr(unsafe.Pointer(&st.Wait)),
		unix.WNOHANG, uintptr(unsafe.Pointer(&st.Rusage)), 0, 0)
	return int(r), errnoErr(e)
}

// waitidPidfdNoHang is waitid(P_PIDFD, fd, WEXITED|WNOHANG).
func waitidPidfdNoHang(fd int, ci *chldInfo, ru *unix.Rusage) error {
	_, _, e := unix.RawSyscall6(unix.SYS_WAITID, unix.P_PIDFD, uintptr(fd), uintptr(unsafe.Pointer(ci)),
		unix.WEXITED|unix.WNOHANG, uintptr(unsafe.Pointer(ru)), 0)
	return errnoErr(e)
}

func pidfdOpen(pid int) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_PIDFD_OPEN, uintptr(pid), 0, 0)
	return int(r), errnoErr(e)
}

func epollAdd(ep, fd int, ev *unix.EpollEvent) error {
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(ep), unix.EPOLL_CTL_ADD, uintptr(fd),
		uintptr(unsafe.Pointer(ev)), 0, 0)
	return errnoErr(e)
}

// epollReady is epoll_wait with a zero timeout (epoll_pwait: arm64 has no
// epoll_wait).
func epollReady(ep int, evs []unix.EpollEvent) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&evs[0])),
		uintptr(len(evs)), 0, 0, 0)
	return int(r), errnoErr(e)
}

func closeRaw(fd int) { unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0) }

// getdents reads /proc's entries; it never waits on anything but memory.
func getdents(fd int, buf []byte) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	return int(r), errnoErr(e)
}

// threadCPU is the CPU time the calling thread has used.
func threadCPU() time.Duration {
	var ts unix.Timespec
	unix.RawSyscall(unix.SYS_CLOCK_GETTIME, unix.CLOCK_THREAD_CPUTIME_ID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}
