package main

import (
	"time"

	"github.com/kinit/kinit/supervisor/control/api"
)

// View is one sample of the cluster as the page and GET /api/cluster show
// it. Every part that could not be read carries its error instead of
// data, so the page says what it does not know rather than show nothing.
type View struct {
	SampledAt time.Time `json:"sampled_at"`
	ClusterID string    `json:"cluster_id"`
	// Mode is "KRaft" or "ZooKeeper" (zookeeper.connect set, or brokers
	// that do not speak DescribeQuorum).
	Mode string `json:"mode"`
	// Controller is the active controller's id: in KRaft the quorum's
	// leader, which is a broker only on a combined node; -1 unknown.
	Controller int32        `json:"controller"`
	Brokers    []BrokerView `json:"brokers"`
	Quorum     *Quorum      `json:"quorum,omitempty"` // KRaft only
	Topics     []TopicView  `json:"topics"`
	// UnderReplicated lists partitions whose ISR is smaller than their
	// replica set; Offline those without a leader.
	UnderReplicated []PartitionView `json:"under_replicated"`
	Offline         []PartitionView `json:"offline"`
	Groups          []GroupView     `json:"groups"`
	Registry        *RegistryView   `json:"schema_registry,omitempty"`
	Nodes           []NodeView      `json:"nodes"`
	// Errors are the parts of the sample that failed (metadata, quorum,
	// groups), each naming what was asked.
	Errors []string `json:"errors,omitempty"`
}

// BrokerView is one broker of the metadata.
type BrokerView struct {
	ID         int32  `json:"id"`
	Host       string `json:"host"`
	Port       int32  `json:"port"`
	Rack       string `json:"rack,omitempty"`
	Controller bool   `json:"controller"`
}

// Quorum is the KRaft metadata quorum as DescribeQuorum reports it.
type Quorum struct {
	LeaderID      int32         `json:"leader_id"`
	LeaderEpoch   int32         `json:"leader_epoch"`
	HighWatermark int64         `json:"high_watermark"`
	Voters        []QuorumVoter `json:"voters"`
	Observers     []QuorumVoter `json:"observers"`
	Error         string        `json:"error,omitempty"`
}

// QuorumVoter is one replica of the metadata log; Lag is how far its log
// end is behind the high watermark.
type QuorumVoter struct {
	ID           int32 `json:"id"`
	LogEndOffset int64 `json:"log_end_offset"`
	Lag          int64 `json:"lag"`
	Leader       bool  `json:"leader"`
}

// TopicView is one topic with its shape and health.
type TopicView struct {
	Name              string `json:"name"`
	Internal          bool   `json:"internal"`
	Partitions        int    `json:"partitions"`
	ReplicationFactor int    `json:"replication_factor"`
	UnderReplicated   int    `json:"under_replicated"`
	Offline           int    `json:"offline"`
	Error             string `json:"error,omitempty"`
}

// PartitionView is one partition in the under-replicated or offline list.
type PartitionView struct {
	Topic     string  `json:"topic"`
	Partition int32   `json:"partition"`
	Leader    int32   `json:"leader"`
	Replicas  []int32 `json:"replicas"`
	ISR       []int32 `json:"isr"`
}

// GroupView is one consumer group with its lag.
type GroupView struct {
	Name       string             `json:"name"`
	State      string             `json:"state"`
	Members    int                `json:"members"`
	Lag        int64              `json:"lag"` // total over its partitions
	Partitions []PartitionLagView `json:"partitions"`
	Error      string             `json:"error,omitempty"`
	// History is the group's total lag over the last minutes, oldest
	// first; the page draws it as inline SVG.
	History []LagPoint `json:"history"`
}

// PartitionLagView is a group's position in one partition.
type PartitionLagView struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Committed int64  `json:"committed"` // -1: nothing committed
	End       int64  `json:"end"`
	Lag       int64  `json:"lag"` // -1 unknown
	Member    string `json:"member,omitempty"`
	Error     string `json:"error,omitempty"`
}

// RegistryView is the schema registry's subjects.
type RegistryView struct {
	URL      string   `json:"url"`
	Subjects []string `json:"subjects"`
	Error    string   `json:"error,omitempty"`
}

// NodeView is one kinit node's state, read from its status listener.
type NodeView struct {
	Role   string      `json:"role"`
	Host   string      `json:"host"`
	URL    string      `json:"url"`
	Status *api.Status `json:"status,omitempty"`
	Error  string      `json:"error,omitempty"`
}
