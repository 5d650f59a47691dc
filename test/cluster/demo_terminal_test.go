package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/test/kafkahome"
	"github.com/kinit/kinit/test/nethost"
)

// TestDemoTerminal looks at the demo as a person does, in a real terminal
// (tmux): the demo in one window, `kinit status --watch` in a second, both
// read back with capture-pane. The watch view follows the start live (a
// service not yet ready with its bar growing, then "all ready" with every
// bar), and a broker killed with SIGKILL shows as its exit and restart; the
// demo's own window stays readable: kinit's lines and the status table, not
// the JVMs' INFO flood, which `kinit logs` still has.
func TestDemoTerminal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	c := nethost.New(t, nethost.Config{Names: []string{"demo-tty"}})
	h := c.Hosts[0]
	state := filepath.Join(h.Dir, "state")
	socket := filepath.Join(h.Dir, "k.sock")
	kinit := kinitBin(t)
	var env []string
	for _, kv := range nodeEnv(t, h) {
		if !strings.HasPrefix(kv, "KINIT_") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	env = append(env, "DEMO_DIR="+state, "KINIT="+kinit, "KINIT_SOCKET="+socket, "KINIT_KAFKA_HOME="+kafkahome.Dir(t),
		"KINIT_KRAFT_HOME="+kafkahome.KRaftDir(t), "TERM=xterm-256color")

	tmuxSock := filepath.Join(h.Dir, "tmux.sock")
	tmux := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", tmuxSock}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = tmux("kill-server") })
	// A history that holds the demo's whole start, and no user's config.
	conf := filepath.Join(h.Dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g history-limit 20000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The demo in the test host's network namespace (its ports are that
	// host's loopback), started as `make demo` would.
	demo := fmt.Sprintf("ip netns exec %s %s; sleep 600", h.NetNS, filepath.Join(root, "scripts", "demo.sh"))
	if out, err := tmux("-f", conf, "new-session", "-d", "-s", "demo", "-x", "160", "-y", "50", "-c", root, demo); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	capture := func(window string) string {
		// -S -: the whole history, so the demo's window shows all it printed.
		out, err := tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "demo:"+window)
		if err != nil {
			t.Fatalf("capture %s: %v %s", window, err, out)
		}
		return out
	}
	for {
		if _, err := os.Stat(socket); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the demo made no control socket:\n%s", capture("0"))
		case <-time.After(100 * time.Millisecond):
		}
	}
	watch := fmt.Sprintf("KINIT_SOCKET=%s %s status --watch", socket, kinit)
	if out, err := tmux("new-window", "-t", "demo", "-n", "watch", watch); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}

	// During the start: a service not ready yet, shown with its bar.
	var during string
	for {
		during = capture("watch")
		if strings.Contains(during, "not ready,") && strings.Contains(during, "start → ready") {
			break
		}
		if strings.Contains(during, "all ready") {
			t.Fatalf("the watch view showed no start in progress before all was ready:\n%s", during)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the watch view never showed the start:\n%s\n--- demo:\n%s", during, capture("0"))
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Logf("watch during the start:\n%s", during)
	ready := waitPane(ctx, t, capture, "watch", "all ready")
	for _, svc := range []string{"zookeeper", "kafka-broker", "schema-registry", "control-center"} {
		if !strings.Contains(ready, svc) || !strings.Contains(ready, "ready after") {
			t.Errorf("the ready view lacks %s or its bar:\n%s", svc, ready)
		}
	}

	// Over a pipe the same command prints the status once and then one
	// plain line per event, without escape codes.
	plain := exec.CommandContext(ctx, kinit, "status", "--watch")
	plain.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	var piped strings.Builder
	plain.Stdout = &piped // read once it has exited
	if err := plain.Start(); err != nil {
		t.Fatal(err)
	}
	pid := servicePid(ctx, t, kinit, socket, "kafka-broker")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Its exit, then the restart kinit schedules for it.
	waitPane(ctx, t, capture, "watch", "kafka-broker     exited by SIGKILL", "kafka-broker     restarting in")
	// Back: ready again after one restart, which the view marks on its bar.
	for !brokerBack(ctx, kinit, socket) {
		select {
		case <-ctx.Done():
			t.Fatalf("the broker did not come back ready:\n%s", capture("watch"))
		case <-time.After(300 * time.Millisecond):
		}
	}
	// The event comes before the status that redraws the bar: wait for
	// the view that has both.
	back := waitPane(ctx, t, capture, "watch", "ready after", "(this run)", "all ready")
	t.Logf("watch after kill -9 of the broker:\n%s", back)
	_ = plain.Process.Signal(syscall.SIGINT)
	_ = plain.Wait()
	got := piped.String()
	if !strings.HasPrefix(got, "node:") || !strings.Contains(got, "kafka-broker     exited by SIGKILL") ||
		!strings.Contains(got, "kafka-broker     ready") || strings.Contains(got, "\x1b[") {
		t.Errorf("kinit status --watch over a pipe printed:\n%s", got)
	}
	t.Logf("kinit status --watch | cat:\n%s", got)

	// The demo's window: kinit's own lines and the status table once all
	// is ready, while the JVMs' INFO lines stay in kinit's rings.
	term := capture("0")
	if !strings.Contains(term, "SERVICE") || !strings.Contains(term, "kafka-broker") {
		t.Errorf("the demo's terminal shows no status table:\n%s", term)
	}
	if n := strings.Count(term, " INFO "); n > 60 {
		t.Errorf("the demo's terminal shows %d INFO lines of the services; want the summary", n)
	}
	logs := exec.CommandContext(ctx, kinit, "logs", "kafka-broker", "-n", "500")
	logs.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	out, err := logs.CombinedOutput()
	if err != nil || strings.Count(string(out), " INFO ") < 20 {
		t.Errorf("kinit logs kafka-broker has not the broker's INFO lines: %v\n%s", err, digest(string(out), 20))
	}
	// kinit's readiness probe of the broker's registration opens a
	// ZooKeeper session per attempt (which ZooKeeper logs as an "old
	// client"): while the dependents wait it polls every 250 ms, not at
	// the 15 ms of probes that cost nothing (hundreds of sessions a start).
	zkLogs := exec.CommandContext(ctx, kinit, "logs", "zookeeper", "-n", "100000")
	zkLogs.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	zout, err := zkLogs.CombinedOutput()
	if err != nil {
		t.Fatalf("kinit logs zookeeper: %v", err)
	}
	sessions := strings.Count(string(zout), "Connection request from old client")
	t.Logf("ZooKeeper sessions of kinit's probes over two broker starts and one stale-registration gate: %d", sessions)
	if sessions > 120 {
		t.Errorf("kinit's probes opened %d ZooKeeper sessions over two broker starts; want a few dozen", sessions)
	}
	// The gateway's page (the Control Center stand-in at :9021) shows the
	// demo: its broker, and the node's kinit state read from the status
	// listener the demo turns on.
	var cluster struct {
		Brokers []json.RawMessage `json:"brokers"`
		Nodes   []struct {
			Status *struct {
				Ready bool `json:"ready"`
			} `json:"status"`
			Error string `json:"error"`
		} `json:"nodes"`
	}
	for {
		out, err := exec.CommandContext(ctx, "ip", "netns", "exec", h.NetNS, "curl", "-sf", "http://127.0.0.1:9021/api/cluster").Output()
		if err == nil && json.Unmarshal(out, &cluster) == nil && len(cluster.Brokers) == 1 &&
			len(cluster.Nodes) == 1 && cluster.Nodes[0].Status != nil && cluster.Nodes[0].Status.Ready {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the gateway page never showed the demo's broker and ready node: %v\n%s", err, out)
		case <-time.After(time.Second):
		}
	}
	// q leaves the view; the node keeps running.
	if _, err := tmux("send-keys", "-t", "demo:watch", "q"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	health := exec.CommandContext(ctx, kinit, "health")
	health.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	if out, err := health.CombinedOutput(); err != nil {
		t.Errorf("after leaving the watch view, kinit health: %v %s", err, out)
	}
	if _, err := tmux("send-keys", "-t", "demo:0", "C-c", ""); err != nil {
		t.Fatal(err)
	}
	waitPane(ctx, t, capture, "0", "demo: kinit exited with 0")
}

// waitPane waits until the window shows every one of want at once.
func waitPane(ctx context.Context, t *testing.T, capture func(string) string, window string, want ...string) string {
	t.Helper()
	for {
		out := capture(window)
		all := true
		for _, w := range want {
			all = all && strings.Contains(out, w)
		}
		if all {
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("window %s never showed all of %q:\n%s", window, want, out)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// brokerBack tells whether the broker is ready after a restart.
func brokerBack(ctx context.Context, kinit, socket string) bool {
	cmd := exec.CommandContext(ctx, kinit, "status", "--json")
	cmd.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	var st struct {
		Ready    bool `json:"ready"`
		Services []struct {
			ID       string `json:"id"`
			Ready    bool   `json:"ready"`
			Restarts int    `json:"restarts"`
		} `json:"services"`
	}
	if json.Unmarshal(out, &st) != nil {
		return false
	}
	for _, s := range st.Services {
		if s.ID == "kafka-broker" {
			return st.Ready && s.Ready && s.Restarts >= 1
		}
	}
	return false
}

func servicePid(ctx context.Context, t *testing.T, kinit, socket, id string) int {
	t.Helper()
	cmd := exec.CommandContext(ctx, kinit, "status", "--json")
	cmd.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Services []struct {
			ID  string `json:"id"`
			Pid int    `json:"pid"`
		} `json:"services"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Services {
		if s.ID == id && s.Pid > 0 {
			return s.Pid
		}
	}
	t.Fatalf("no pid for %s in %s", id, out)
	return 0
}
