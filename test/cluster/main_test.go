// Package cluster holds the integration tests of kinit with real ZooKeeper
// and Apache Kafka (the jars `make kafka` fetches) and OpenSearch (`make
// opensearch`): the kinit binary, built by the test with `go build`, runs as
// PID 1 of test hosts made by test/nethost (network, UTS, mount and PID
// namespaces), with the shipped rootfs/etc/kinit/kinit.toml.
//
//   - TestStandalone: one host, the standalone config (all four services);
//     round trip, kill -9 of the broker, SIGTERM and the ordered stop.
//   - TestThreeHosts: three hosts, role zookeeper of the default config;
//     ensemble, replication factor 3 across hosts, SIGKILL of a whole host
//     and its return with the same id and no data loss.
//   - TestProductionBrokerWaitsForQuorum: a broker-only host started before
//     its remote ZooKeeper quorum waits, then starts and registers.
//   - TestOpenSearch: the standalone node shipping metrics and events to a
//     real OpenSearch 2.19 (`make opensearch`) on a host of its own.
//   - TestDemo: scripts/demo.sh (make demo) on a terminal, twice on the same
//     state; Ctrl-C reaches kinit alone.
//
// Needs root (namespaces). Every process runs in a test host, so the tests
// never touch the machine's ports, and nethost kills whatever a failing
// test leaves behind. Timing figures are in docs/demo.md.
package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/test/kafkahome"
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "test/cluster: these tests need root (network and PID namespaces); CI runs as root")
		os.Exit(1)
	}
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// kinitBin builds ./cmd/kinit once per test binary, the way `make build`
// does, into a temporary directory every test host can read.
func kinitBin(t testing.TB) string {
	t.Helper()
	p, err := testbin.Build(testbin.Kinit)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// configPath is the shipped kinit.toml, the one the image uses.
func configPath(t testing.TB) string {
	t.Helper()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "rootfs", "etc", "kinit", "kinit.toml")
}
