package testkit

import (
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// RecordGroupSignals wraps *kill, a package's hook for signals sent by
// number, so that the calls with a negative pid (a process group) are
// recorded until restore; calls lists them in order as "-pid SIGNAME".
// The signals are still sent.
func RecordGroupSignals(kill *func(pid int, sig unix.Signal) error) (calls func() []string, restore func()) {
	var mu sync.Mutex
	var got []string
	old := *kill
	*kill = func(pid int, sig unix.Signal) error {
		if pid < 0 {
			mu.Lock()
			got = append(got, strconv.Itoa(pid)+" "+unix.SignalName(sig))
			mu.Unlock()
		}
		return old(pid, sig)
	}
	return func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), got...)
		}, func() {
			*kill = old
		}
}
