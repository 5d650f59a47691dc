package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/kafkahome"
)

const (
	topic      = "browser-orders"
	group      = "browser-billing"
	partitions = 3
	produced   = 10 // records per partition
	committed  = 4  // the group's committed offset in each partition
	firstLag   = partitions * (produced - committed)
	more       = 10 // records written to partition 0 once the page saw firstLag
	wantLag    = firstLag + more
)

// chromium is Debian's headless browser; without it the test fails, as
// every test here needs it.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (%v): `make test-deps` installs it (Debian package chromium)", err)
	}
	return path
}

func TestGatewayPageInBrowser(t *testing.T) {
	browser := chromium(t)
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ports := testkit.FreePorts(t, 4)
	kafkaPort, controllerPort, pagePort, statusPort := ports[0], ports[1], ports[2], ports[3]
	bootstrap := fmt.Sprintf("127.0.0.1:%d", kafkaPort)
	dir := t.TempDir()

	kafka := startKRaft(t, dir, kafkaPort, controllerPort)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	waitFor(t, kafka, "the broker to answer", 3*time.Minute, func() bool {
		_, err := adm.BrokerMetadata(ctx)
		return err == nil
	})
	makeLaggingGroup(ctx, t, cl, adm)

	// kinit runs the stand-in (the page) with its status listener on.
	props := writeFile(t, filepath.Join(dir, "control-center.properties"), fmt.Sprintf(
		"bootstrap.servers=%s\nconfluent.controlcenter.id=1\nconfluent.controlcenter.rest.listeners=http://127.0.0.1:%d\n", bootstrap, pagePort))
	config, err := filepath.Abs("testdata/kinit.toml")
	if err != nil {
		t.Fatal(err)
	}
	node := start(t, "kinit", envWith(
		"KINIT_CONFIG="+config, "KINIT_SOCKET="+filepath.Join(dir, "kinit.sock"),
		"KINIT_ROLE=gateway", "KINIT_NODE_ID=1", "KINIT_FQDN=gateway-1.test", "KINIT_RELOAD=off",
		"KINIT_STANDIN="+standinBin, "KINIT_PROPS="+props,
		fmt.Sprintf("KINIT_PORT_GATEWAY=%d", pagePort),
		fmt.Sprintf("KINIT_STATUS_LISTEN=127.0.0.1:%d", statusPort),
	), 10*time.Second, kinitBin, "up")

	page := fmt.Sprintf("http://127.0.0.1:%d/", pagePort)
	var view struct {
		Brokers []struct {
			Host string
			Port int
		}
		Groups []struct {
			Name    string
			Lag     int64
			History []struct{ Lag int64 }
		}
		Nodes []struct {
			Error  string
			Status *struct {
				Ready    bool
				Services []struct{ ID, State string }
			}
		}
	}
	var last []byte
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last GET /api/cluster: %s", last)
		}
	})
	// sampled reports whether the page's data holds the group at lag with
	// at least points samples of history, and this node ready.
	sampled := func(lag int64, points int) func() bool {
		return func() bool {
			resp, err := http.Get(page + "api/cluster")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			view.Groups, view.Nodes = nil, nil
			if last, err = io.ReadAll(resp.Body); err != nil || json.Unmarshal(last, &view) != nil {
				return false
			}
			lagged := len(view.Groups) == 1 && view.Groups[0].Lag == lag && len(view.Groups[0].History) >= points
			ready := len(view.Nodes) == 1 && view.Nodes[0].Status != nil && view.Nodes[0].Status.Ready
			return lagged && ready
		}
	}
	waitFor(t, node, fmt.Sprintf("the page's data to show the group %d behind and this node ready", firstLag), time.Minute, sampled(firstLag, 2))
	// The lag grows while the page watches: the plot has a step.
	produce(ctx, t, cl, 0, more)
	waitFor(t, node, fmt.Sprintf("the page's data to show the group %d behind", wantLag), time.Minute, sampled(wantLag, 3))

	dom := runChromium(t, browser, "--dump-dom", page)
	for _, want := range []string{
		"Control Center stand-in", "not Confluent Control Center",
		fmt.Sprintf("<td>1</td><td>127.0.0.1:%d</td><td></td><td>controller</td>", kafkaPort), // the broker, a combined node leading the quorum
		"KRaft controller quorum", "<td>voter (leader)</td>", // the quorum
		fmt.Sprintf(`data-topic="%s"><td>%s</td><td>%d</td><td>1</td>`, topic, topic, partitions), // partitions, RF
		"0 under-replicated", "0 offline",
		fmt.Sprintf(`<b class="lag" data-group="%s">%d</b>`, group, wantLag), // the group's total lag
		fmt.Sprintf("<td>%s</td><td>0</td><td>%d</td><td>%d</td><td>%d</td>", topic, committed, produced+more, produced+more-committed),
		fmt.Sprintf("<td>%s</td><td>1</td><td>%d</td><td>%d</td><td>%d</td>", topic, committed, produced, produced-committed),
		"<polyline",                   // the lag plot
		"<td>gateway</td>", ">ready<", // this node's kinit state, read over TCP
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page in Chromium lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
	// With script on, the page refetches itself and swaps its sections in
	// (Chromium's virtual time runs the 5 s timer at once).
	if dom := runChromium(t, browser, "--virtual-time-budget=12000", "--dump-dom", page); !strings.Contains(dom, "data-refreshed=") ||
		!strings.Contains(dom, fmt.Sprintf(`data-group="%s">%d</b>`, group, wantLag)) {
		t.Errorf("the page did not refresh itself in Chromium:\n%s", dom)
	}

	artifacts := filepath.Join(root, "out", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifacts, "gateway.png")
	_ = os.Remove(shot)
	runChromium(t, browser, "--screenshot="+shot, "--window-size=1280,1000", "--hide-scrollbars", page)
	checkScreenshot(t, shot)
	t.Logf("screenshot: %s", shot)
}

// startKRaft formats and starts one combined KRaft 4.4 node on loopback.
func startKRaft(t *testing.T, dir string, port, controllerPort int) *proc {
	t.Helper()
	home := kafkahome.KRaftDir(t)
	env := append(envWith(kafkahome.JVMEnv()...), "LOG_DIR="+filepath.Join(dir, "logs"))
	props := writeFile(t, filepath.Join(dir, "server.properties"), fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%[2]d
listeners=PLAINTEXT://127.0.0.1:%[1]d,CONTROLLER://127.0.0.1:%[2]d
advertised.listeners=PLAINTEXT://127.0.0.1:%[1]d
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=%[3]s/kraft
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
`, port, controllerPort, dir))
	format := exec.Command(filepath.Join(home, "bin/kafka-storage"), "format", "-t", roles.NewClusterID(), "-c", props)
	format.Env = env
	if out, err := format.CombinedOutput(); err != nil {
		t.Fatalf("kafka-storage format: %v\n%s", err, out)
	}
	return start(t, "kafka", env, 30*time.Second, filepath.Join(home, "bin/kafka-server-start"), props)
}

// makeLaggingGroup creates the topic, writes produced records to each
// partition and commits the group at committed in each: a group with no
// members that is wantLag behind.
func makeLaggingGroup(ctx context.Context, t *testing.T, cl *kgo.Client, adm *kadm.Client) {
	t.Helper()
	if _, err := adm.CreateTopic(ctx, partitions, 1, nil, topic); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	for p := range int32(partitions) {
		produce(ctx, t, cl, p, produced)
	}
	offsets := kadm.Offsets{}
	for p := range int32(partitions) {
		offsets.Add(kadm.Offset{Topic: topic, Partition: p, At: committed, LeaderEpoch: -1})
	}
	resp, err := adm.CommitOffsets(ctx, group, offsets)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("commit %s's offsets: %v", group, err)
	}
}

// produce writes n records to partition p of the test's topic.
func produce(ctx context.Context, t *testing.T, cl *kgo.Client, p int32, n int) {
	t.Helper()
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Partition: p, Value: fmt.Appendf(nil, "order %d-%d", p, i)}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce to %s-%d: %v", topic, p, err)
	}
}

// runChromium runs headless Chromium on url with its own profile and
// returns what it printed on stdout.
func runChromium(t *testing.T, browser string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	argv := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, browser, argv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// checkScreenshot wants a PNG of the window's size with more than a blank
// page's worth of content.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot %s is no PNG: %v", path, err)
	}
	if r := img.Bounds(); r.Dx() != 1280 || r.Dy() != 1000 {
		t.Errorf("screenshot is %dx%d, want 1280x1000", r.Dx(), r.Dy())
	}
	if len(b) < 20<<10 {
		t.Errorf("screenshot is only %d bytes: a blank page?", len(b))
	}
	// Count the colours of a grid of samples: a rendered page has text,
	// tables and the plot, a blank or error page one or two colours.
	colours := map[[3]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 7 {
		for x := r.Min.X; x < r.Max.X; x += 7 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			colours[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
		}
	}
	if len(colours) < 8 {
		t.Errorf("screenshot has %d colours: not a rendered page", len(colours))
	}
}
