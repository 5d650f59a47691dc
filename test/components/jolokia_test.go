package components

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/test/kafkahome"
)

// TestJolokiaAgentReadOnly: a real ZooKeeper JVM with the agent as kinit
// attaches it (node.JolokiaOption, the shipped access policy) answers the
// reads kinit ships and refuses everything else: list, search, write and
// exec, and reads of MBeans kinit does not ship; a refused write changed
// nothing; and the agent cannot be reached on any address but loopback.
func TestJolokiaAgentReadOnly(t *testing.T) {
	home := kafkahome.Dir(t)
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ports := testkit.FreePorts(t, 2)
	zkPort, agentPort := ports[0], ports[1]
	policy := filepath.Join(root, "rootfs", "etc", "kinit", "jolokia-access.xml")
	env := append(os.Environ(), kafkahome.JVMEnv()...)
	env = append(env, "LOG_DIR="+filepath.Join(dir, "logs"), "KAFKA_HEAP_OPTS=-Xms128m -Xmx128m",
		"KAFKA_OPTS="+node.JolokiaOption(kafkahome.JolokiaAgent(t), policy, agentPort))
	zkProps := writeFile(t, filepath.Join(dir, "zookeeper.properties"), fmt.Sprintf(
		"dataDir=%s/zookeeper\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n", dir, zkPort))
	zk := start(t, "zookeeper", env, filepath.Join(home, "bin/zookeeper-server-start"), zkProps)

	url := fmt.Sprintf("http://127.0.0.1:%d/jolokia/", agentPort)
	ask := func(reqs ...map[string]any) []map[string]any {
		t.Helper()
		body, _ := json.Marshal(reqs)
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v\n%s", url, err, zk.output())
		}
		defer resp.Body.Close()
		var out []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out) != len(reqs) {
			t.Fatalf("POST %s: %d answers (%v) to %d requests", url, len(out), err, len(reqs))
		}
		return out
	}
	heap := map[string]any{"type": "read", "mbean": "java.lang:type=Memory", "attribute": "HeapMemoryUsage"}
	verbose := map[string]any{"type": "read", "mbean": "java.lang:type=Memory", "attribute": "Verbose"}
	deadline := time.Now().Add(90 * time.Second)
	for {
		if resp, err := http.Get(url + "version"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no agent on %s:\n%s", url, zk.output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	before := ask(verbose)[0]["value"]

	got := ask(
		heap,
		map[string]any{"type": "read", "mbean": "org.apache.ZooKeeperService:*", "attribute": []string{"NodeCount"}},
		map[string]any{"type": "read", "mbean": "java.lang:type=Runtime", "attribute": "Uptime"},
		map[string]any{"type": "list"},
		map[string]any{"type": "search", "mbean": "*:*"},
		map[string]any{"type": "write", "mbean": "java.lang:type=Memory", "attribute": "Verbose", "value": before != true},
		map[string]any{"type": "exec", "mbean": "java.lang:type=Memory", "operation": "gc"},
	)
	want := []float64{200, 200, 403, 403, 403, 403, 403}
	for i, r := range got {
		if r["status"] != want[i] {
			t.Errorf("request %d %v: status %v (%v); want %v", i, r["request"], r["status"], r["error"], want[i])
		}
	}
	if after := ask(verbose)[0]["value"]; after != before {
		t.Errorf("java.lang:type=Memory Verbose %v -> %v: a refused write changed it", before, after)
	}

	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ip, ok := a.(*net.IPNet)
		if !ok || ip.IP.IsLoopback() || ip.IP.To4() == nil {
			continue
		}
		tried++
		addr := net.JoinHostPort(ip.IP.String(), fmt.Sprint(agentPort))
		if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
			c.Close()
			t.Errorf("the agent answers on %s; want loopback only", addr)
		} else if !strings.Contains(err.Error(), "refused") {
			t.Errorf("dial %s: %v; want connection refused", addr, err)
		}
	}
	if tried == 0 {
		t.Fatal("this machine has no non-loopback IPv4 address to try the agent on")
	}
}
