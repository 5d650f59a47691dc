package probe_test

import (
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/kinit/kinit/supervisor/probe"
)

// A restarted broker's readiness tells its registration from the one its
// killed predecessor left by ZooKeeper's ids, not by the "timestamp" the
// broker wrote from its clock. The timestamps in the comments are what a
// wall-clock rule (registration at or after the process's start) saw: a
// clock stepped back between the start and the registration held the new
// broker "not ready"; a clock stepped forward before the predecessor
// registered made its stale registration look new.
func TestRegistrationByZooKeeperIDs(t *testing.T) {
	id := 1
	stale := probe.Registration{Czxid: 0x1000000a2, Owner: 0x100008f3c2d0001}
	tests := []struct {
		name     string
		replaces *probe.Registration
		stat     *zk.Stat
		ready    bool
	}{
		{"new registration after a backward clock step (stamped before the start)", &stale,
			&zk.Stat{Czxid: 0x1000000f7, EphemeralOwner: 0x100008f3c2d0002}, true},
		{"stale registration after a forward clock step (stamped after the start)", &stale,
			&zk.Stat{Czxid: stale.Czxid, EphemeralOwner: stale.Owner}, false},
		{"none before the start, one now", &probe.Registration{},
			&zk.Stat{Czxid: 0x200000003, EphemeralOwner: 0x200008f3c2d0001}, true},
		{"none before the start, none now", &probe.Registration{}, nil, false},
		{"a registration is recreated by the same session", &stale,
			&zk.Stat{Czxid: 0x1000000f9, EphemeralOwner: stale.Owner}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := probe.JudgeRegistration(probe.KafkaZK{Connect: "zk:2181", BrokerID: &id, Replaces: tt.replaces}, tt.stat)
			if (err == nil) != tt.ready {
				t.Fatalf("ready = %v (%v), want %v", err == nil, err, tt.ready)
			}
		})
	}
}

// The gate before a broker's start passes once no broker holds its id.
func TestUnregisteredGate(t *testing.T) {
	id := 2
	gate := probe.KafkaZK{Connect: "zk:2181", BrokerID: &id, Unregistered: true}
	if err := probe.JudgeRegistration(gate, nil); err != nil {
		t.Errorf("no registration: %v", err)
	}
	if err := probe.JudgeRegistration(gate, &zk.Stat{Czxid: 7, EphemeralOwner: 9}); err == nil {
		t.Error("a registration held passes the gate")
	}
}
