package probe

import "github.com/go-zookeeper/zk"

var BrokersPresent = brokersPresent

// JudgeRegistration is KafkaZK's decision on a /brokers/ids/<id> stat.
func JudgeRegistration(p KafkaZK, st *zk.Stat) error { return p.judgeRegistration(st) }
