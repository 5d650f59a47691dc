package supervisor

import "testing"

// Lines as Kafka 3.9/4.x (log4j), ZooKeeper 3.8, Apicurio Registry 3
// (Quarkus, text and JSON) print them.
func TestNotable(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		// Kafka
		{`[2026-12-07 02:03:04,567] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)`, false},
		{`[2026-12-07 02:03:04,567] INFO [BrokerServer id=1] Transition from STARTING to STARTED (kafka.server.BrokerServer)`, false},
		{`[2026-12-07 02:03:04,567] WARN [Controller id=1, targetBrokerId=1] Connection to node 1 (localhost/127.0.0.1:9092) could not be established. Node may not be available. (org.apache.kafka.clients.NetworkClient)`, true},
		{`[2026-12-07 02:03:04,568] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)`, true},
		{`[2026-12-07 02:03:04,568] FATAL [KafkaServer id=1] Fatal error during KafkaServer startup. Prepare to shutdown (kafka.server.KafkaServer)`, true},
		{`[2026-12-07 02:03:04,569] INFO [LogLoader partition=t-0, dir=/var/lib/kafka] Recovering segment; last state was ERROR (kafka.log.LogLoader)`, false},
		{"\tadvertised.listeners = PLAINTEXT://kafka-1:9092", false},
		{"\tlog.dirs = /var/lib/kafka/data", false},
		{`org.apache.kafka.common.KafkaException: Failed to acquire lock on file .lock in /var/lib/kafka/data.`, true},
		{`Caused by: java.io.IOException: No space left on device`, true},
		{"\tat kafka.log.LogManager.lockLogDirs(LogManager.scala:259)", false},
		{`java.lang.OutOfMemoryError: Java heap space`, true},
		{`Exception in thread "main" java.lang.OutOfMemoryError: Java heap space`, true},
		// ZooKeeper
		{`2026-12-07 02:03:04,567 [myid:1] - INFO  [main:o.a.z.s.ZooKeeperServer@1234] - Server environment:zookeeper.version=3.8.4`, false},
		{`2026-12-07 02:03:04,567 [myid:] - WARN  [QuorumConnectionThreadManager-1:o.a.z.s.q.QuorumCnxManager@401] - Cannot open channel to 2 at election address zk-2/10.0.0.2:3888`, true},
		{`2026-12-07 02:03:04,567 [myid:1] - ERROR [main:o.a.z.s.q.QuorumPeerMain@113] - Unexpected exception, exiting abnormally`, true},
		{`2026-12-07 02:03:04,567 [myid:1] - DEBUG [main:o.a.z.s.ZooKeeperServer@1234] - WARN in a debug line`, false},
		{`[2026-12-07 02:11:08,585] ERROR Invalid configuration, only one server specified (ignoring) (org.apache.zookeeper.server.quorum.QuorumPeerConfig)`, true},
		// Caused by kinit's own probes' sessions, every check interval.
		{`[2026-12-07 02:11:21,789] WARN Connection request from old client /127.0.0.1:33986; will be dropped if server is in r-o mode (org.apache.zookeeper.server.ZooKeeperServer)`, false},
		// Apicurio Registry (Quarkus)
		{`2026-12-07 02:03:04,567 INFO  [io.quarkus] (main) apicurio-registry-app 3.3.3 on JVM (powered by Quarkus 3.20.1) started in 3.210s. Listening on: http://0.0.0.0:8081`, false},
		{`2026-12-07 02:03:04,567 WARN  [io.qua.config] (main) Unrecognized configuration key "quarkus.foo" was provided; it will be ignored`, true},
		{`2026-12-07 02:03:04,567 ERROR [io.qua.run.Application] (main) Failed to start application: java.net.BindException: Address already in use`, true},
		{`02:03:04 INFO  [io.apicurio.registry] (executor-thread-1) Storage ERROR counter reset`, false},
		{`02:11:14,796 WARN  [io.qua.config] Unrecognized configuration key "quarkus.log.console.color" was provided; it will be ignored`, true},
		{`02:11:39,432 INFO  [io.qua.htt.access-log] "apicurio-registry.access method="GET" path="/apis/ccompat/v7/subjects" response_code="200"`, false},
		{"\tbootstrap.servers = [PLAINTEXT://localhost:29092]", false},
		{`{"timestamp":"2026-12-07T02:03:04.567Z","sequence":1,"loggerName":"io.apicurio","level":"WARN","message":"slow storage"}`, true},
		{`{"timestamp":"2026-12-07T02:03:04.567Z","loggerName":"io.apicurio","level":"INFO","message":"ERROR count 0"}`, false},
		{`{"@timestamp":"2026-12-07T02:03:04.567Z","log.level":"error","message":"boom"}`, true},
		{`{"severity":"warning","msg":"disk 90% full"}`, true},
		// Plain output
		{`formatting storage /var/lib/kafka/data`, false},
		{`ERROR: cannot read /etc/kafka/server.properties`, true},
		{`WARNING: An illegal reflective access operation has occurred`, true},
		{``, false},
	} {
		if got := notable([]byte(c.line)); got != c.want {
			t.Errorf("notable(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}
