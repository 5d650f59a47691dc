package supervisor

import (
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// GroupSignals records the process groups kinit signals by number (kill
// with a negative pid) until restore; calls lists them in order, as
// "-pid SIGNAME".
func GroupSignals() (calls func() []string, restore func()) {
	var mu sync.Mutex
	var got []string
	old := killNumber
	killNumber = func(pid int, sig unix.Signal) error {
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
			killNumber = old
		}
}
