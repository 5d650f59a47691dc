package probe_test

import (
	"net"
	"strings"
	"testing"

	"github.com/kinit/kinit/supervisor/probe"
)

// The KRaft probes against a port nothing listens on say so: the
// client is built (franz-go refuses some options at construction, which
// would read as a probe that never passes) and the dial fails. Real
// quorums are in test/cluster (TestKRaft*).
func TestKRaftProbesNotAnswering(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	id := 1
	for _, p := range []probe.Prober{
		probe.KafkaKRaft{Bootstrap: []string{addr}, BrokerID: &id},
		probe.KRaftQuorum{Bootstrap: []string{addr}, VoterID: &id},
		probe.KRaftQuorum{Local: addr, Bootstrap: []string{addr}},
		probe.Both{First: probe.KRaftQuorum{Bootstrap: []string{addr}}, Second: probe.KafkaKRaft{Bootstrap: []string{addr}}},
	} {
		err := check(p)
		if err == nil || !strings.Contains(probe.Summary(err), "not answering") {
			t.Errorf("%T %s: %v; want not answering", p, p, err)
		}
	}
}
