package supervisor

import (
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
