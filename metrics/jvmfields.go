package metrics

import "strings"

// A jvmField is one number kinit reads from a JVM through its Jolokia agent
// and where it goes in the document. This table is the one place that says
// which MBeans are read: the agent's requests, the documents, the index
// template and docs/metrics.md all follow it.
//
// Field names are Metricbeat's (kafka.broker.*, zookeeper.mntr.*) where
// Metricbeat has the number, and new names in its style under the same
// groups where it has not; kinit.jvm.* holds the JVM's own. A field whose
// MBean the JVM does not have (Kafka 3.9 and 4.4 differ, a KRaft broker has
// no ZooKeeper session) is left out of the document, never sent as zero.
type jvmField struct {
	Field string // dotted document path
	MBean string // an object name, or a pattern whose matches are summed
	Attr  string // attribute, "Attr.key" for a composite's item
	Long  bool   // mapped as long (else float)
	Kinds []string
}

// Which services' JVMs a field is read from.
var (
	kafkaKinds = []string{"kafka", "kraft-controller"}
	zkKinds    = []string{"zookeeper"}
	allJVMs    = []string{"kafka", "kraft-controller", "zookeeper"}
)

const (
	btm   = "kafka.server:type=BrokerTopicMetrics,name="
	rm    = "kafka.server:type=ReplicaManager,name="
	ctl   = "kafka.controller:type=KafkaController,name="
	reqTT = "kafka.network:type=RequestMetrics,name=TotalTimeMs,request="
	zkSvc = "org.apache.ZooKeeperService:*"
)

// Rates are the MBeans' one-minute rates (Metricbeat reads MeanRate, the
// average since the JVM started, which a spike of a minute barely moves).
var jvmFields = []jvmField{
	{Field: "kafka.broker.messages_in", MBean: btm + "MessagesInPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.net.in.bytes_per_sec", MBean: btm + "BytesInPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.net.out.bytes_per_sec", MBean: btm + "BytesOutPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.net.rejected.bytes_per_sec", MBean: btm + "BytesRejectedPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.produce.per_second", MBean: btm + "TotalProduceRequestsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.fetch.per_second", MBean: btm + "TotalFetchRequestsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.produce.failed_per_second", MBean: btm + "FailedProduceRequestsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.produce.failed", MBean: btm + "FailedProduceRequestsPerSec", Attr: "Count", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.request.fetch.failed_per_second", MBean: btm + "FailedFetchRequestsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.fetch.failed", MBean: btm + "FailedFetchRequestsPerSec", Attr: "Count", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.request.channel.queue.size", MBean: "kafka.network:type=RequestChannel,name=RequestQueueSize", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.request.produce.time_ms.p50", MBean: reqTT + "Produce", Attr: "50thPercentile", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.produce.time_ms.p99", MBean: reqTT + "Produce", Attr: "99thPercentile", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.fetch.time_ms.p50", MBean: reqTT + "FetchConsumer", Attr: "50thPercentile", Kinds: kafkaKinds},
	{Field: "kafka.broker.request.fetch.time_ms.p99", MBean: reqTT + "FetchConsumer", Attr: "99thPercentile", Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.under_replicated_partitions", MBean: rm + "UnderReplicatedPartitions", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.under_min_isr_partitions", MBean: rm + "UnderMinIsrPartitionCount", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.isr_shrinks_per_sec", MBean: rm + "IsrShrinksPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.isr_expands_per_sec", MBean: rm + "IsrExpandsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.partition_count", MBean: rm + "PartitionCount", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.leader_count", MBean: rm + "LeaderCount", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.offline_partitions", MBean: ctl + "OfflinePartitionsCount", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.leader_elections", MBean: "kafka.controller:type=ControllerStats,name=LeaderElectionRateAndTimeMs", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.replication.unclean_leader_elections", MBean: "kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.controller.active", MBean: ctl + "ActiveControllerCount", Attr: "Value", Long: true, Kinds: kafkaKinds},
	{Field: "kafka.broker.log.flush_rate", MBean: "kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.session.zookeeper.disconnect", MBean: "kafka.server:type=SessionExpireListener,name=ZooKeeperDisconnectsPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},
	{Field: "kafka.broker.session.zookeeper.expire", MBean: "kafka.server:type=SessionExpireListener,name=ZooKeeperExpiresPerSec", Attr: "OneMinuteRate", Kinds: kafkaKinds},

	{Field: "zookeeper.mntr.latency.avg", MBean: zkSvc, Attr: "AvgRequestLatency", Kinds: zkKinds},
	{Field: "zookeeper.mntr.latency.max", MBean: zkSvc, Attr: "MaxRequestLatency", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.latency.min", MBean: zkSvc, Attr: "MinRequestLatency", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.outstanding_requests", MBean: zkSvc, Attr: "OutstandingRequests", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.packets.received", MBean: zkSvc, Attr: "PacketsReceived", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.packets.sent", MBean: zkSvc, Attr: "PacketsSent", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.num_alive_connections", MBean: zkSvc, Attr: "NumAliveConnections", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.znode_count", MBean: zkSvc, Attr: "NodeCount", Long: true, Kinds: zkKinds},
	{Field: "zookeeper.mntr.watch_count", MBean: zkSvc, Attr: "WatchCount", Long: true, Kinds: zkKinds},

	{Field: "kinit.jvm.heap.used_bytes", MBean: "java.lang:type=Memory", Attr: "HeapMemoryUsage.used", Long: true, Kinds: allJVMs},
	{Field: "kinit.jvm.heap.committed_bytes", MBean: "java.lang:type=Memory", Attr: "HeapMemoryUsage.committed", Long: true, Kinds: allJVMs},
	{Field: "kinit.jvm.heap.max_bytes", MBean: "java.lang:type=Memory", Attr: "HeapMemoryUsage.max", Long: true, Kinds: allJVMs},
	{Field: "kinit.jvm.gc.count", MBean: "java.lang:type=GarbageCollector,*", Attr: "CollectionCount", Long: true, Kinds: allJVMs},
	{Field: "kinit.jvm.gc.time_ms", MBean: "java.lang:type=GarbageCollector,*", Attr: "CollectionTime", Long: true, Kinds: allJVMs},
}

// JVMFieldDoc is one row of docs/metrics.md's field list.
type JVMFieldDoc struct{ Field, Source string }

// JVMFieldDocs lists every field read through the agent with its MBean.
func JVMFieldDocs() []JVMFieldDoc {
	out := make([]JVMFieldDoc, len(jvmFields))
	for i, f := range jvmFields {
		out[i] = JVMFieldDoc{f.Field, f.MBean + " " + f.Attr}
	}
	return out
}

func (f jvmField) readsFrom(kind string) bool {
	for _, k := range f.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// attrName is the MBean attribute the field reads ("HeapMemoryUsage" for
// "HeapMemoryUsage.used").
func (f jvmField) attrName() string {
	a, _, _ := strings.Cut(f.Attr, ".")
	return a
}

// JVMKind reports whether kinit reads a service of this kind through an
// agent at all.
func JVMKind(kind string) bool {
	for _, k := range allJVMs {
		if k == kind {
			return true
		}
	}
	return false
}
