package probe

import (
	"sync"

	"github.com/go-zookeeper/zk"
	"golang.org/x/sys/unix"
)

var BrokersPresent = brokersPresent

// JudgeRegistration is KafkaZK's decision on a /brokers/ids/<id> stat.
func JudgeRegistration(p KafkaZK, st *zk.Stat) error { return p.judgeRegistration(st) }

// GroupKills records the process groups the exec probe signals by number
// until restore; calls lists the (negative) pids in order.
func GroupKills() (calls func() []int, restore func()) {
	var mu sync.Mutex
	var got []int
	old := killNumber
	killNumber = func(pid int, sig unix.Signal) error {
		if pid < 0 {
			mu.Lock()
			got = append(got, pid)
			mu.Unlock()
		}
		return old(pid, sig)
	}
	return func() []int {
			mu.Lock()
			defer mu.Unlock()
			return append([]int(nil), got...)
		}, func() {
			killNumber = old
		}
}
