package browser

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/test/kafkahome"
)

// A ZooKeeper-mode cluster (Kafka 3.9) the stand-in is not told is one
// (no zookeeper.connect in its properties): its brokers do not speak
// DescribeQuorum, so the page names the controller from Metadata and
// shows no quorum; the broker's rack is shown; a node whose status
// listener is off shows why.
func TestGatewayPageZooKeeperMode(t *testing.T) {
	browser := chromium(t)
	home := kafkahome.Dir(t)
	dir := t.TempDir()
	env := append(envWith(kafkahome.JVMEnv()...), "LOG_DIR="+filepath.Join(dir, "logs"))
	ports := testkit.FreePorts(t, 4)
	zkPort, brokerPort, pagePort, statusPort := ports[0], ports[1], ports[2], ports[3]
	zkProps := writeFile(t, filepath.Join(dir, "zookeeper.properties"), fmt.Sprintf(
		"dataDir=%s/zookeeper\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n", dir, zkPort))
	start(t, "zookeeper", append(env, "KAFKA_HEAP_OPTS=-Xms128m -Xmx128m"), 10*time.Second, filepath.Join(home, "bin/zookeeper-server-start"), zkProps)
	bootstrap := fmt.Sprintf("127.0.0.1:%d", brokerPort)
	serverProps := writeFile(t, filepath.Join(dir, "server.properties"), fmt.Sprintf(`broker.id=7
broker.rack=rack-a
listeners=PLAINTEXT://%[1]s
advertised.listeners=PLAINTEXT://%[1]s
log.dirs=%[2]s/kafka
zookeeper.connect=127.0.0.1:%[3]d
offsets.topic.replication.factor=1
`, bootstrap, dir, zkPort))
	kafka := start(t, "kafka", env, 30*time.Second, filepath.Join(home, "bin/kafka-server-start"), serverProps)

	props := writeFile(t, filepath.Join(dir, "control-center.properties"), fmt.Sprintf(
		"bootstrap.servers=%s\nconfluent.controlcenter.rest.listeners=http://127.0.0.1:%d\n", bootstrap, pagePort))
	standin := start(t, "standin", envWith(fmt.Sprintf("KINIT_STATUS_LISTEN=127.0.0.1:%d", statusPort)),
		10*time.Second, standinBin, "-broker-wait", "3m", props)

	page := fmt.Sprintf("http://127.0.0.1:%d/", pagePort)
	var view struct {
		Mode       string
		Controller int32
		Quorum     *json.RawMessage
		Brokers    []struct{ ID int32 }
		Nodes      []struct{ Error string }
	}
	var last []byte
	waitFor(t, standin, "the page's data to show the ZooKeeper-mode broker", 3*time.Minute, func() bool {
		if kafka.exited() {
			t.Fatalf("kafka exited:\n%s", kafka.output())
		}
		resp, err := http.Get(page + "api/cluster")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		last, _ = io.ReadAll(resp.Body)
		return json.Unmarshal(last, &view) == nil && len(view.Brokers) == 1 && len(view.Nodes) == 1
	})
	if view.Mode != "ZooKeeper" || view.Controller != 7 || view.Quorum != nil {
		t.Errorf("mode %q, controller %d, quorum %v; want ZooKeeper, 7, none: %s", view.Mode, view.Controller, view.Quorum, last)
	}
	if !strings.Contains(view.Nodes[0].Error, "KINIT_STATUS_LISTEN") {
		t.Errorf("the node without a status listener: %q", view.Nodes[0].Error)
	}

	dom := runChromium(t, browser, "--dump-dom", page)
	for _, want := range []string{
		fmt.Sprintf("<td>7</td><td>%s</td><td>rack-a</td><td>controller</td>", bootstrap),
		"ZooKeeper mode: the controller is broker <b>7</b>",
		"is KINIT_STATUS_LISTEN set on that node?",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page in Chromium lacks %q", want)
		}
	}
	if strings.Contains(dom, "KRaft controller quorum") {
		t.Error("a ZooKeeper-mode page shows a KRaft quorum")
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}
