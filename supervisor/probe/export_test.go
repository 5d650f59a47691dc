package probe

import (
	"github.com/go-zookeeper/zk"
	"github.com/kinit/kinit/internal/testkit"
)

var BrokersPresent = brokersPresent

// JudgeRegistration is KafkaZK's decision on a /brokers/ids/<id> stat.
func JudgeRegistration(p KafkaZK, st *zk.Stat) error { return p.judgeRegistration(st) }

// GroupKills records the process groups the exec probe signals by number
// until restore, as "-pid SIGNAME".
func GroupKills() (calls func() []string, restore func()) {
	return testkit.RecordGroupSignals(&killNumber)
}
