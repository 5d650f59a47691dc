package roles

import (
	"strings"
	"testing"
)

// One range for a node id, 0..2147483647 (Kafka's broker.id and node.id
// are Java ints), wherever the id comes from; out of it is a
// configuration problem naming the source.
func TestNodeIDRange(t *testing.T) {
	cfg := loadShipped(t)
	kraft := func(extra Env) Env {
		e := Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_ROLE": "broker", "KINIT_FQDN": "k"}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	const k8s = "10.0.0.1"
	testIdentities(t, cfg, []identityCase{
		{name: "KINIT_NODE_ID the largest", env: kraft(Env{"KINIT_NODE_ID": "2147483647"}), wantID: 2147483647},
		{name: "KINIT_NODE_ID a Java long", env: kraft(Env{"KINIT_NODE_ID": "9223372036854775807"}),
			err: `KINIT_NODE_ID: "9223372036854775807" is not a node id (a number 0..2147483647)`},
		{name: "KINIT_NODE_ID one past", env: kraft(Env{"KINIT_NODE_ID": "2147483648"}),
			err: `KINIT_NODE_ID: "2147483648" is not a node id (a number 0..2147483647)`},
		{name: "KINIT_NODE_ID negative", env: kraft(Env{"KINIT_NODE_ID": "-1"}),
			err: `KINIT_NODE_ID: "-1" is not a node id`},
		{name: "KINIT_NODE_ID beyond int64", env: kraft(Env{"KINIT_NODE_ID": "99999999999999999999"}),
			err: `KINIT_NODE_ID: "99999999999999999999" is not a node id`},
		{name: "KAFKA_NODE_ID one past", env: kraft(Env{"KAFKA_NODE_ID": "2147483648"}),
			err: `KAFKA_NODE_ID: "2147483648" is not a node id (a number 0..2147483647)`},
		{name: "persisted id one past", env: kraft(nil), files: map[string]string{"kraft/kinit-node-id": "2147483648\n"},
			err: "kraft/kinit-node-id:1: holds 11 bytes that are not a node id (a number 0..2147483647)"},
		{name: "persisted id the largest", env: kraft(nil), files: map[string]string{"kraft/kinit-node-id": "2147483647\n"}, wantID: 2147483647},
		{name: "explicit id in the nodes list", env: kraft(Env{"KINIT_NODES": "broker=2147483648@k"}),
			err: `KINIT_NODES: host "2147483648@k": the id before @ is not a node id (a number 0..2147483647)`},
		{name: "hostname ordinal plus offset", env: kraft(Env{"KINIT_FQDN": "kafka-2147483647", "KUBERNETES_SERVICE_HOST": k8s}),
			err: "kafka-2147483647 has node id 2147483648 (hostname ordinal 2147483647 + offset 1), outside 0..2147483647"},
		{name: "hostname ordinal beyond int64 is no ordinal", env: kraft(Env{"KINIT_FQDN": "kafka-99999999999999999999", "KUBERNETES_SERVICE_HOST": k8s}),
			wantID: 1},
		{name: "hostname ordinal near int64 does not wrap", env: kraft(Env{"KINIT_FQDN": "kafka-9223372036854775807", "KUBERNETES_SERVICE_HOST": k8s}),
			err: "kafka-9223372036854775807 has node id 9223372036854775807 (hostname ordinal 9223372036854775807 + offset 1), outside 0..2147483647"},
		{name: "a member's ordinal", env: kraft(Env{"KINIT_FQDN": "kafka-0", "KUBERNETES_SERVICE_HOST": k8s, "KINIT_NODES": "broker=kafka-0,kafka-2147483647",
			"KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qk"}),
			err: "kafka-2147483647 has node id 2147483648 (ordinal), outside 0..2147483647"},
	})
}

// An offset that would take every ordinal out of range is refused where
// it is written.
func TestOrdinalOffsetRange(t *testing.T) {
	_, err := Parse("c.toml", []byte(`
[identity]
ordinal_offset = 2147483648
[roles.node]
ordinal_offset = 9223372036854775807
[services.a]
command = ["/a"]
[configs.default]
ordinal_offsets = { node = 2147483648 }
[configs.default.roles]
node = ["a"]
`))
	for _, want := range []string{
		"c.toml:3: ordinal_offset must be 0..2147483647, got 2147483648",
		`c.toml:5: role "node": ordinal_offset must be 0..2147483647, got 9223372036854775807`,
		`c.toml:9: config "default": ordinal_offsets.node must be 0..2147483647, got 2147483648`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}
