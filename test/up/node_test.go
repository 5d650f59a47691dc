package up

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
)

// deadline only keeps a broken kinit from hanging the suite: the tests wait
// on events (log lines, status changes, exits) and assert no durations.
const deadline = 90 * time.Second

// markerVar names the variable that carries a test's unique marker. kinit
// passes it on to the services (KINIT_PASS_ENV), and testprog to its
// orphans, so every process a test causes carries it.
const markerVar = "UPTEST_MARKER"

// node is the setting of one kinit: a config from testdata, a temp dir for
// the socket and what the services write, free ports, and the environment.
type node struct {
	t      *testing.T
	config string // absolute path of kinit.toml
	dir    string
	socket string
	marks  string // testprog's start/ready marks (one line each, in order)
	etcDir string // where the abc config renders a.conf
	marker string
	env    map[string]string
	ports  map[string]int
	// wrap is prepended to kinit's command line (e.g. setpriv, to start
	// kinit with a credential state a runtime may hand it).
	wrap []string
	// stdout, when set, is kinit's stdout instead of a pipe the test
	// reads (run.stdout then stays empty).
	stdout *os.File
}

// newNode prepares a node for testdata/<config>.
func newNode(t *testing.T, config string) *node {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", config))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	n := &node{
		t: t, config: abs, dir: dir,
		socket: filepath.Join(dir, "kinit.sock"),
		marks:  filepath.Join(dir, "marks"),
		etcDir: filepath.Join(dir, "etc"),
		marker: hex.EncodeToString(b[:]),
		ports:  map[string]int{},
	}
	t.Cleanup(func() { killMarked(n.marker) })
	n.env = map[string]string{
		"KINIT_CONFIG":    abs,
		"KINIT_SOCKET":    n.socket,
		"KINIT_NODE_ID":   "1",
		"KINIT_FQDN":      "abc-1.test",
		"KINIT_TESTPROG":  testprogBin,
		"KINIT_MARK_FILE": n.marks,
		"KINIT_ETC_DIR":   n.etcDir,
		markerVar:         n.marker,
	}
	return n
}

// withPorts gives each service a free loopback port (KINIT_PORT_<ID>).
func (n *node) withPorts(ids ...string) *node {
	ports := testkit.FreePorts(n.t, len(ids))
	for i, id := range ids {
		p := ports[i]
		n.ports[id] = p
		n.env["KINIT_PORT_"+strings.ToUpper(id)] = strconv.Itoa(p)
	}
	return n
}

// environ is the test's environment without anything kinit would read
// (KINIT_*, property-override prefixes), plus the node's variables.
func (n *node) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if hasAnyPrefix(k, "KINIT_", "KAFKA_", "ZOOKEEPER_", "SCHEMA_REGISTRY_", "CONTROL_CENTER_", markerVar) {
			continue
		}
		env = append(env, kv)
	}
	// The marker is no service's variable: pass it to all of them.
	env = append(env, "KINIT_PASS_ENV="+markerVar)
	for k, v := range n.env {
		env = append(env, k+"="+v)
	}
	return env
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// startMarks returns the service names of the "start NAME …" lines
// testprog appended to the marks file, in file order. Every process appends
// its start line before it listens, and a dependent is only spawned after
// its dependency's probe connected, so file order is start order.
func (n *node) startMarks() []string {
	n.t.Helper()
	b, err := os.ReadFile(n.marks)
	if err != nil && !os.IsNotExist(err) {
		n.t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "start" {
			names = append(names, f[1])
		}
	}
	return names
}

// waitUntil polls cond until it holds; what names the awaited event.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
