// The kinds a plan switches on, as types: chosen once when the plan is
// built, never re-parsed from strings downstream.

package plan

import (
	"fmt"
	"strings"
)

// ProbeKind is what a probe checks.
type ProbeKind string

// Probe kinds.
const (
	ProbeTCP       ProbeKind = "tcp"
	ProbeZooKeeper ProbeKind = "zookeeper"
	ProbeKafka     ProbeKind = "kafka"
	ProbeHTTP      ProbeKind = "http"
	ProbeExec      ProbeKind = "exec"
)

// ProbeKinds are the probe kinds a plan runs, in the order messages name
// them: a new kind is a constant above and an entry here.
var ProbeKinds = []ProbeKind{ProbeTCP, ProbeZooKeeper, ProbeKafka, ProbeHTTP, ProbeExec}

// ParseProbeKind reads a probe kind as kinit.toml spells it.
func ParseProbeKind(s string) (ProbeKind, error) {
	names := make([]string, len(ProbeKinds))
	for i, k := range ProbeKinds {
		if ProbeKind(s) == k {
			return k, nil
		}
		names[i] = string(k)
	}
	last := len(names) - 1
	return "", fmt.Errorf("unknown probe kind %q (want %s or %s)", s, strings.Join(names[:last], ", "), names[last])
}

// KafkaMode is what a kafka probe asks and of whom.
type KafkaMode string

// Kafka probe modes.
const (
	// KafkaZK: brokers registered in ZooKeeper (ZKConnect), BrokerID
	// among them when set, at least MinBrokers.
	KafkaZK KafkaMode = "zookeeper"
	// KafkaUnregistered (ZooKeeper, with BrokerID) passes while no broker
	// holds BrokerID: the gate before starting a broker whose killed
	// predecessor's registration has not expired yet.
	KafkaUnregistered KafkaMode = "unregistered"
	// KafkaKRaft sends a Metadata request to Bootstrap: a broker listed
	// there is registered and unfenced.
	KafkaKRaft KafkaMode = "kraft"
	// KafkaQuorum asks Bootstrap for the controller quorum
	// (DescribeQuorum, which only the leader answers): it must have a
	// leader and, with BrokerID set, count that node id among its voters;
	// with Address set, that endpoint (the service's own) must answer too.
	KafkaQuorum KafkaMode = "quorum"
	// KafkaCombined is KafkaQuorum and then KafkaKRaft, the registration
	// asked of Address: a combined controller and broker.
	KafkaCombined KafkaMode = "combined"
)

// KRaft reports whether the mode asks KRaft servers (Bootstrap) rather
// than ZooKeeper.
func (m KafkaMode) KRaft() bool {
	return m == KafkaKRaft || m == KafkaQuorum || m == KafkaCombined
}

// Policy is what happens when a service's process exits on its own.
type Policy string

// Restart policies.
const (
	PolicyAlways    Policy = "always"
	PolicyOnFailure Policy = "on-failure"
	PolicyNever     Policy = "never"
)

// ParsePolicy reads a restart policy as kinit.toml spells it.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case PolicyAlways, PolicyOnFailure, PolicyNever:
		return p, nil
	}
	return "", fmt.Errorf("restart policy must be always, on-failure or never, got %q", s)
}

// OnUnhealthy is what a service that turned unhealthy gets.
type OnUnhealthy string

// What happens to a service that turned unhealthy (Probe.OnUnhealthy).
const (
	// OnUnhealthyNone: shown as not ready, nothing else.
	OnUnhealthyNone OnUnhealthy = ""
	// OnUnhealthyRestart: stopped and counted as a failed run.
	OnUnhealthyRestart OnUnhealthy = "restart"
)

// ParseOnUnhealthy reads on_unhealthy as kinit.toml spells it ("none" or
// "restart"; empty is none).
func ParseOnUnhealthy(s string) (OnUnhealthy, error) {
	switch s {
	case "", "none":
		return OnUnhealthyNone, nil
	case "restart":
		return OnUnhealthyRestart, nil
	}
	return "", fmt.Errorf("on_unhealthy must be \"none\" or \"restart\", got %q", s)
}
