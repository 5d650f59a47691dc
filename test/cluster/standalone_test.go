package cluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/test/nethost"
)

var standaloneServices = []string{"zookeeper", "kafka-broker", "schema-registry", "control-center"}

var tableHeader = regexp.MustCompile(`(?m)^SERVICE +STATE +PID +UPTIME +RESTARTS +READY +WAITING ON +LAST EXIT$`)

// The standalone config (the demo's) with kinit as PID 1 of a host: all
// four services come up; a produce/consume round trip works; kill -9 of the
// broker's JVM gets it restarted once and registered again in ZooKeeper
// under a new session, and the round trip works again; SIGTERM stops the
// services in reverse order (Schema Registry and Control Center, then the
// broker with its controlled shutdown, then ZooKeeper), kinit exits 0 and
// leaves nothing running.
func TestStandalone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"kafka-1"}})
	h := c.Hosts[0]
	mark := milestones(t)
	n := newNode(t, c, h, "KINIT_CONFIG_ID=standalone", "KINIT_ROLE=broker")
	n.start(t)

	st := n.waitReady(ctx, t)
	mark("all four services ready")
	if st.Node.ConfigID != "standalone" || st.Node.Role != "broker" || st.Node.ID != 1 || st.Node.FQDN != h.FQDN {
		t.Errorf("node %+v; want standalone/broker, id 1, fqdn %s", st.Node, h.FQDN)
	}
	if st.Kinit.Pid != 1 {
		t.Errorf("kinit runs as pid %d; want 1", st.Kinit.Pid)
	}
	for _, id := range standaloneServices {
		if sv := st.service(id); sv.State != "ready" || !sv.Ready || sv.Pid <= 1 || sv.Restarts != 0 {
			t.Errorf("service %s: %+v; want ready, running, no restarts", id, sv)
		}
	}
	if out, err := n.kinit(ctx, "health"); err != nil {
		t.Errorf("kinit health: %v: %s", err, out)
	}
	waitOutput(ctx, t, n, "the status table", func(out string) bool {
		loc := tableHeader.FindStringIndex(out)
		if loc == nil {
			return false
		}
		rows := out[loc[1]:]
		for _, id := range standaloneServices {
			if !regexp.MustCompile(`(?m)^` + id + ` +ready +\d+ .* yes `).MatchString(rows) {
				return false
			}
		}
		return true
	})

	// Round trip.
	seed := h.FQDN + ":9092"
	const topic = "kinit-standalone"
	cl := producer(t, c, seed)
	createTopic(ctx, t, cl, topic, 1, 1, nil)
	before := values("before-kill", 10)
	if err := produce(ctx, cl, topic, 1, before); err != nil {
		t.Fatalf("produce: %v", err)
	}
	consumeAll(ctx, t, c, seed, topic, before)
	mark("round trip")

	// kill -9 of the broker's JVM.
	zc := c.ZooKeeper(ctx, t, h.FQDN+":2181")
	owner, err := registration(zc, 1)
	if err != nil {
		t.Fatalf("broker 1 in zookeeper: %v", err)
	}
	broker := st.service("kafka-broker")
	procs, err := nsProcs(n.proc.Pid())
	if err != nil {
		t.Fatal(err)
	}
	jvm, ok := procs[broker.Pid]
	if !ok || jvm.Name != "java" {
		t.Fatalf("broker pid %d from kinit status is %+v in the host's namespace; want a java process", broker.Pid, jvm)
	}
	// KAFKA_HEAP_OPTS in kinit's environment beats its sizing.
	for _, id := range []string{"zookeeper", "kafka-broker"} {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", procs[st.service(id).Pid].Pid))
		if !strings.Contains(string(cmdline), "\x00-Xmx256m\x00") {
			t.Errorf("%s runs without the heap from the environment: %q", id, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	if err := syscall.Kill(jvm.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st = n.waitStatus(ctx, t, "the broker restarted and ready", func(s *status) bool {
		b := s.service("kafka-broker")
		return b.Restarts > 0 && b.Ready && b.Pid != broker.Pid
	})
	// Ready means registered by the new JVM: the killed broker's znode
	// lingers until its session expires (zookeeper.session.timeout.ms).
	if o, err := registration(zc, 1); err != nil || o == owner {
		t.Errorf("kinit reported the restarted broker ready while /brokers/ids/1 was owned by %#x (%v); the killed broker's session was %#x", o, err, owner)
	}
	b := st.service("kafka-broker")
	if b.LastExit == nil || b.LastExit.Signal != "SIGKILL" || b.LastExit.Pid != broker.Pid {
		t.Errorf("broker last exit %+v; want SIGKILL of pid %d", b.LastExit, broker.Pid)
	}
	for _, id := range []string{"zookeeper", "schema-registry", "control-center"} {
		if sv := st.service(id); sv.Restarts != 0 || !sv.Ready {
			t.Errorf("service %s after the broker's restart: %+v; want untouched", id, sv)
		}
	}
	mark("broker restarted and ready")
	// Registered again: a new session owns /brokers/ids/1 (the killed
	// broker's node lingers until its session expires).
	for {
		o, err := registration(zc, 1)
		if err == nil && o != owner {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("broker 1 not registered again in zookeeper: owner %#x (was %#x), %v", o, owner, err)
		case <-time.After(300 * time.Millisecond):
		}
	}
	after := values("after-kill", 10)
	if err := produce(ctx, cl, topic, 1, after); err != nil {
		t.Fatalf("produce after the restart: %v", err)
	}
	consumeAll(ctx, t, c, seed, topic, append(before, after...))
	mark("registered again; round trip")
	cl.Close()
	zc.Close()

	// One kill, one restart: a broker started while the killed one's
	// registration lives fails (NodeExists) and would count more.
	st = n.waitReady(ctx, t)
	if b := st.service("kafka-broker"); b.Restarts != 1 {
		t.Errorf("broker restarted %d times after one kill -9; want 1", b.Restarts)
	}

	// Nothing but kinit and its four services runs in the namespace.
	procs, err = nsProcs(n.proc.Pid())
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]int{}
	want := map[int]bool{1: true}
	for _, sv := range st.Services {
		pids[sv.ID] = sv.Pid
		want[sv.Pid] = true
	}
	for nsPid, p := range procs {
		if !want[nsPid] {
			t.Errorf("unexpected process in the host: %+v", p)
		}
	}
	if len(procs) != len(want) {
		t.Errorf("processes in the host: %v; want kinit and the services %v", procs, pids)
	}

	// SIGTERM: the ordered stop.
	leftovers := stopAndWatch(ctx, t, n, syscall.SIGTERM)
	mark("stopped")
	out := n.proc.Output()
	if code := n.proc.ExitCode(); code != 0 {
		t.Errorf("kinit exited with %d after SIGTERM; want 0", code)
	}
	if len(leftovers) > 0 {
		t.Errorf("still running when kinit had stopped every service: %v", leftovers)
	}
	if _, err := nsProcs(n.proc.Pid()); err == nil {
		t.Errorf("the host's PID namespace outlived kinit")
	}
	for _, p := range stopProblems(out, "SIGTERM", pids) {
		t.Error(p)
	}
}

// stopProblems reads an ordered stop from kinit's output, from the line
// "received <signal>" on: dependents first, each service stopped cleanly
// (no SIGKILL) and, when pids is given, the pid the status named; the
// broker's controlled shutdown completed; ZooKeeper last; exit code 0.
func stopProblems(out, signal string, pids map[string]int) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	all := kinitLog(out)
	term := first(all, "received "+signal)
	if term < 0 {
		return []string{"kinit did not log the " + signal}
	}
	var lines []logLine
	for _, l := range all {
		if l.N > term {
			lines = append(lines, l)
		}
	}
	stopping := map[string]int{}
	stopped := map[string]int{}
	for _, id := range standaloneServices {
		stopping[id] = first(lines, fmt.Sprintf("stopping service %q", id))
		l, ok := firstPrefix(lines, fmt.Sprintf("service %q stopped: ", id))
		stopped[id] = l.N
		switch {
		case stopping[id] < 0 || !ok:
			bad("service %s: no stop in kinit's log", id)
		case !strings.HasSuffix(l.Msg, "exited with code 0") && !strings.HasSuffix(l.Msg, "exited with code 143"):
			bad("service %s did not stop cleanly: %q", id, l.Msg)
		case pids != nil && l.Attrs["pid"] != fmt.Sprint(pids[id]):
			bad("service %s: stopped pid %s; status said %d", id, l.Attrs["pid"], pids[id])
		}
		if l, ok := firstPrefix(lines, fmt.Sprintf("service %q did not stop within its grace period", id)); ok {
			bad("service %s was killed: %q", id, l.Msg)
		}
	}
	for _, id := range []string{"schema-registry", "control-center"} {
		if stopped[id] > stopping["kafka-broker"] {
			bad("%s stopped (line %d) after the broker's stop began (line %d)", id, stopped[id], stopping["kafka-broker"])
		}
	}
	for _, id := range []string{"schema-registry", "control-center", "kafka-broker"} {
		if stopped[id] > stopping["zookeeper"] {
			bad("%s stopped (line %d) after zookeeper's stop began (line %d)", id, stopped[id], stopping["zookeeper"])
		}
	}
	if l, ok := firstPrefix(lines, "all services stopped"); !ok || l.Attrs["exit_code"] != "0" {
		bad("kinit's last word: %q %v; want all services stopped, exit_code 0", l.Msg, l.Attrs)
	}
	var broker strings.Builder
	for i, l := range strings.Split(out, "\n") {
		if i > stopping["kafka-broker"] && strings.HasPrefix(l, "kafka-broker | ") {
			broker.WriteString(l + "\n")
		}
	}
	for _, want := range []string{"Controlled shutdown request returned successfully", "shut down completed (kafka.server.KafkaServer)"} {
		if !strings.Contains(broker.String(), want) {
			bad("the broker's log after its stop lacks %q", want)
		}
	}
	return problems
}

// The checker above against recorded stops: a clean one; one where the
// broker got too little grace and was killed (kinit before cd5ee88; its
// shutdown had completed, but the JVM had not yet exited); and the clean
// one reordered so that ZooKeeper stops first.
func TestStopProblems(t *testing.T) {
	for _, tc := range []struct {
		file, signal string
		want         []string // substrings, one per problem
	}{
		{"stop-clean.log", "SIGTERM", nil},
		{"stop-broker-killed.log", "SIGINT", []string{
			`service kafka-broker did not stop cleanly: "service \"kafka-broker\" stopped: killed by signal 9 (SIGKILL)"`,
			"service kafka-broker was killed",
			"exit_code 0",
		}},
		{"stop-zookeeper-first.log", "SIGTERM", []string{
			"schema-registry stopped (line 11) after zookeeper's stop began (line 5)",
			"control-center stopped (line 12) after zookeeper's stop began (line 5)",
			"kafka-broker stopped (line 125) after zookeeper's stop began (line 5)",
		}},
		{"stop-clean.log", "SIGINT", []string{"kinit did not log the SIGINT"}},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		got := stopProblems(string(data), tc.signal, nil)
		if len(got) != len(tc.want) {
			t.Errorf("%s (%s): %d problems, want %d:\n%s", tc.file, tc.signal, len(got), len(tc.want), strings.Join(got, "\n"))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s (%s): problem %d %q lacks %q", tc.file, tc.signal, i, got[i], w)
			}
		}
	}
}

// stopAndWatch signals kinit and waits for it to exit. From the moment kinit
// logs that every service has stopped until it exits, only kinit may be
// left in the namespace: whatever else is seen then was left behind (the
// kernel would SIGKILL it when PID 1 exits). Returns those processes.
func stopAndWatch(ctx context.Context, t *testing.T, n *node, sig syscall.Signal) map[int]nsProc {
	t.Helper()
	f, err := os.Open(n.proc.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if err := n.proc.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var tail []byte
	buf := make([]byte, 64<<10)
	var leftovers map[int]nsProc
	checked := false
	for {
		select {
		case <-n.proc.Done():
			return leftovers
		case <-ctx.Done():
			t.Fatalf("kinit still running %v after %s", ctx.Err(), sig)
		case <-time.After(20 * time.Millisecond):
		}
		if checked {
			continue
		}
		for {
			k, _ := f.Read(buf)
			if k == 0 {
				break
			}
			tail = append(tail, buf[:k]...)
		}
		if strings.Contains(string(tail), `msg="all services stopped"`) {
			checked = true
			if procs, err := nsProcs(n.proc.Pid()); err == nil {
				delete(procs, 1)
				leftovers = procs
			}
		}
	}
}

// waitOutput polls kinit's output until cond holds.
func waitOutput(ctx context.Context, t testing.TB, n *node, what string, cond func(string) bool) {
	t.Helper()
	for !cond(n.proc.Output()) {
		select {
		case <-n.proc.Done():
			t.Fatalf("%s: kinit exited with %d before %s", n.host.Name, n.proc.ExitCode(), what)
		case <-ctx.Done():
			t.Fatalf("%s: no %s in kinit's output", n.host.Name, what)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
