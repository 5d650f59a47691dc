package supervisor

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lastCap is the highest capability the running kernel knows.
func lastCap() uintptr {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && v > 0 && v < 64 {
			return uintptr(v)
		}
	}
	return unix.CAP_LAST_CAP
}

// canSetPcap reports whether this thread may drop bounding-set capabilities.
// A kinit running without CAP_SETPCAP (not root, or a locked-down runtime)
// cannot narrow the bounding set, but then its children have nothing to
// narrow either unless files carry capabilities.
func canSetPcap() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_SETPCAP/32].Effective&(1<<(unix.CAP_SETPCAP%32)) != 0
}

// clearInheritable empties this thread's inheritable set. A runtime may
// start kinit with capabilities there; a root service would get them back
// in its permitted set at exec whatever the bounding set says, and any
// service would pass them on. The child then holds only the ambient
// capabilities os/exec raises (it adds them to the inheritable set itself).
func clearInheritable() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("cannot read capabilities: %w", err)
	}
	if data[0].Inheritable == 0 && data[1].Inheritable == 0 {
		return nil
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("cannot clear inheritable capabilities: %w", err)
	}
	return nil
}
