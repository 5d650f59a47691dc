package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/test/nethost"
)

var kraftStandaloneServices = []string{"kraft-broker-format", "kraft-broker", "schema-registry", "control-center"}

// The kraft-standalone config (make demo-kraft) with kinit as PID 1, on
// Kafka 4.4: the one-shot format runs once and is done; a combined node
// becomes ready (a voter of a quorum with a leader, registered and
// unfenced); a round trip works; kill -9 of the broker's JVM gets it
// restarted and serving again; SIGTERM makes its controlled shutdown
// complete and kinit exit 0 with nothing left. A second start does not
// format again, and a start with another cluster id is refused with 78
// before anything runs.
func TestKRaftStandalone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"kafka-1"}})
	h := c.Hosts[0]
	mark := milestones(t)
	n := newNode(t, c, h, "KINIT_CONFIG_ID=kraft-standalone", "KINIT_ROLE=broker")
	n.start(t)
	st := n.waitReady(ctx, t)
	mark("all services ready")
	if st.Kinit.Pid != 1 || st.Node.ID != 1 {
		t.Errorf("kinit pid %d, node id %d; want 1 and 1", st.Kinit.Pid, st.Node.ID)
	}
	if f := st.service("kraft-broker-format"); f.State != "done" || !f.Ready || f.LastExit == nil || f.LastExit.Code != 0 {
		t.Errorf("format: %+v; want done after exit 0", f)
	}
	for _, id := range kraftStandaloneServices[1:] {
		if sv := st.service(id); sv.State != "ready" || sv.Pid <= 1 || sv.Restarts != 0 {
			t.Errorf("service %s: %+v; want ready, no restarts", id, sv)
		}
	}
	// The generated cluster id, kept on the data volume, is the one the
	// storage was formatted with; no properties file holds it.
	dataDir := filepath.Join(h.Dir, "data", "kraft")
	idFile, err := os.ReadFile(filepath.Join(dataDir, "kinit-cluster-id"))
	if err != nil {
		t.Fatal(err)
	}
	clusterID := strings.TrimSpace(string(idFile))
	metaPath := filepath.Join(dataDir, "data", "meta.properties")
	meta, err := os.ReadFile(metaPath)
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _ := javaprops.Get(string(meta), "cluster.id"); v != clusterID {
		t.Errorf("meta.properties cluster.id %q, kinit-cluster-id %q", v, clusterID)
	}
	if v, _, _ := javaprops.Get(string(meta), "node.id"); v != "1" {
		t.Errorf("meta.properties node.id %q; want 1", v)
	}
	if props, _ := os.ReadFile(filepath.Join(h.Dir, "etc", "kraft", "server.properties")); strings.Contains(string(props), clusterID) {
		t.Errorf("server.properties holds the cluster id:\n%s", props)
	}
	if l, ok := firstPrefix(kinitLog(n.proc.Output()), "node resolved"); !ok || l.Attrs["cluster_id"] != clusterID || !strings.Contains(l.Attrs["cluster_id_from"], "generated") {
		t.Errorf("kinit did not report the generated cluster id %s: %q %v", clusterID, l.Msg, l.Attrs)
	}

	// kinit status shows the quorum: this node leads it, as its only voter.
	quorumLine := waitStatusText(ctx, t, n, "kraft quorum: ")
	for _, want := range []string{"leader=1 ", "voters=1 ", "epoch="} {
		if !strings.Contains(quorumLine+" ", want) {
			t.Errorf("kinit status quorum line %q lacks %q", quorumLine, want)
		}
	}

	seed := h.FQDN + ":9092"
	const topic = "kinit-kraft"
	cl := producer(t, c, seed)
	createTopic(ctx, t, cl, topic, 1, 1, nil)
	before := values("before-kill", 10)
	if err := produce(ctx, cl, topic, 1, before); err != nil {
		t.Fatalf("produce: %v", err)
	}
	consumeAll(ctx, t, c, seed, topic, before)
	mark("round trip")

	broker := st.service("kraft-broker")
	if err := syscall.Kill(hostPid(t, n, broker.Pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st = n.waitStatus(ctx, t, "the broker restarted and ready", func(s *status) bool {
		b := s.service("kraft-broker")
		return b.Restarts > 0 && b.Ready && b.Pid != broker.Pid
	})
	if b := st.service("kraft-broker"); b.LastExit == nil || b.LastExit.Signal != "SIGKILL" {
		t.Errorf("broker last exit %+v; want SIGKILL", b.LastExit)
	}
	if f := st.service("kraft-broker-format"); f.State != "done" {
		t.Errorf("format after the broker's restart: %+v; want done, not run again", f)
	}
	after := values("after-kill", 10)
	if err := produce(ctx, cl, topic, 1, after); err != nil {
		t.Fatalf("produce after the restart: %v", err)
	}
	consumeAll(ctx, t, c, seed, topic, append(before, after...))
	cl.Close()
	mark("broker restarted; round trip")

	leftovers := stopAndWatch(ctx, t, n, syscall.SIGTERM)
	mark("stopped")
	if code := n.proc.ExitCode(); code != 0 {
		t.Errorf("kinit exited with %d after SIGTERM; want 0", code)
	}
	if len(leftovers) > 0 {
		t.Errorf("still running when kinit had stopped every service: %v", leftovers)
	}
	out := n.proc.Output()
	stop := strings.LastIndex(out, "received SIGTERM")
	for _, want := range []string{"Beginning controlled shutdown.", "[BrokerServer id=1] shut down completed"} {
		if stop < 0 || !strings.Contains(out[stop:], want) {
			t.Errorf("the broker's log after SIGTERM lacks %q", want)
		}
	}

	// Second start: the format is not run again, the volume is unchanged.
	n.start(t)
	st = n.waitReady(ctx, t)
	mark("second start ready")
	if f := st.service("kraft-broker-format"); f.State != "done" || f.LastExit != nil {
		t.Errorf("format on the second start: %+v; want done without a run", f)
	}
	if again, _ := os.ReadFile(metaPath); string(again) != string(meta) {
		t.Errorf("meta.properties changed on the second start:\n%s\nwas:\n%s", again, meta)
	}
	stopAndWatch(ctx, t, n, syscall.SIGTERM)

	// The volume belongs to another cluster: refused before anything runs.
	other := "MkU3OEVBNTcwNTJENDM2Qg"
	n.env = append(n.env, "KINIT_CLUSTER_ID="+other)
	n.start(t)
	select {
	case <-n.proc.Done():
	case <-ctx.Done():
		t.Fatal("kinit did not exit with a volume of another cluster")
	}
	out = n.proc.Output()
	if code := n.proc.ExitCode(); code != 78 {
		t.Errorf("exit %d with a volume of another cluster; want 78", code)
	}
	for _, want := range []string{metaPath, clusterID, other} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not name %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "service \"kraft-broker") && strings.Contains(out, "started") {
		t.Errorf("a service started with a volume of another cluster:\n%s", out)
	}
}

// waitStatusText polls `kinit status` until a line starts with prefix and
// names a leader, and returns that line.
func waitStatusText(ctx context.Context, t testing.TB, n *node, prefix string) string {
	t.Helper()
	last := ""
	for {
		out, err := n.kinit(ctx, "status")
		last = string(out)
		if err == nil {
			for _, l := range strings.Split(last, "\n") {
				if strings.HasPrefix(l, prefix) && strings.Contains(l, "leader=") {
					return l
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %q line with a leader in kinit status:\n%s", prefix, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
