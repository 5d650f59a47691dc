package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/test/kafkahome"
	"github.com/kinit/kinit/test/nethost"
)

// node is kinit running one node of a cluster on a test host, as PID 1 of
// the host's PID namespace, as in a container.
type node struct {
	c    *nethost.Cluster
	host *nethost.Host
	env  []string
	proc *nethost.Proc
	bin  string // the kinit binary start ran
	runs int
}

// nodeEnv is what every node gets: the test's environment without anything
// kinit or the launchers would read (a developer's shell may carry
// KAFKA_HEAP_OPTS or KINIT_ROLE), small JVMs, Apicurio Registry as the
// schema-registry service (what the image runs), and paths under the host's
// directory, so several hosts never share rendered files or data.
func nodeEnv(t testing.TB, h *nethost.Host, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "KINIT_"), strings.HasPrefix(k, "KAFKA_"), strings.HasPrefix(k, "ZOOKEEPER_"),
			strings.HasPrefix(k, "SCHEMA_REGISTRY_"), strings.HasPrefix(k, "CONTROL_CENTER_"),
			k == "LOG_DIR", k == "JMX_PORT", k == "CLASSPATH":
			continue
		}
		env = append(env, kv)
	}
	// KAFKA_HEAP_OPTS in kinit's environment wins over its sizing
	// (docs/config.md): 256 MiB heaps, serial GC, no shared hsperfdata.
	env = append(env, kafkahome.JVMEnv()...)
	env = append(env, kafkahome.ApicurioEnv(t)...)
	// C1 only for every JVM of the node, as KAFKA_JVM_PERFORMANCE_OPTS
	// gives Kafka's: Apicurio's start then costs half the CPU (5.7 s
	// instead of 11.3 s to ready, measured alone), which on two cores
	// shared by several nodes is most of a test's wait. No GC flag here:
	// one given twice in different ways stops a JVM.
	env = append(env, "JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1 -XX:-UsePerfData")
	env = append(env,
		"KINIT_CONFIG="+configPath(t),
		"KINIT_KAFKA_HOME="+kafkahome.Dir(t),
		"KINIT_KRAFT_HOME="+kafkahome.KRaftDir(t),
		"KINIT_JOLOKIA_AGENT="+kafkahome.JolokiaAgent(t),
		"KINIT_DATA_DIR="+filepath.Join(h.Dir, "data"),
		"KINIT_ETC_DIR="+filepath.Join(h.Dir, "etc"),
		"KINIT_LOG_DIR="+filepath.Join(h.Dir, "log"),
		"KINIT_FQDN="+h.FQDN,
		"KINIT_FLAVOR=small",
	)
	return append(env, extra...)
}

func newNode(t testing.TB, c *nethost.Cluster, h *nethost.Host, extra ...string) *node {
	return &node{c: c, host: h, env: nodeEnv(t, h, extra...)}
}

// start runs `kinit up` on the host. Each run logs to its own file; on
// failure the test log gets kinit's own lines and the last lines of the
// rest.
func (n *node) start(t testing.TB) {
	t.Helper()
	n.runs++
	log := filepath.Join(n.host.Dir, fmt.Sprintf("kinit-%d.log", n.runs))
	n.bin = kinitBin(t)
	p := n.host.Start(t, nethost.Command{Args: []string{n.bin, "up"}, Env: n.env, Log: log})
	n.proc = p
	run := n.runs
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- kinit on %s, run %d (exit %d):\n%s", n.host.Name, run, p.ExitCode(), digest(p.Output(), 80))
		}
	})
}

// digest keeps every line kinit logged itself and the last tail lines of
// the services' output.
func digest(out string, tail int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		if i >= len(lines)-tail || strings.Contains(l, " source=kinit") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// status is `kinit status --json` (the control socket's documented JSON,
// docs/supervision.md), decoded here on its own so the test checks the
// wire contract rather than kinit's client types.
type status struct {
	Node struct {
		Role     string `json:"role"`
		ID       int    `json:"id"`
		FQDN     string `json:"fqdn"`
		ConfigID string `json:"config_id"`
	} `json:"node"`
	Kinit struct {
		Pid   int    `json:"pid"`
		Phase string `json:"phase"`
	} `json:"kinit"`
	Ready    bool            `json:"ready"`
	Services []serviceStatus `json:"services"`
	Sections []struct {
		Name   string            `json:"name"`
		Fields map[string]string `json:"fields"`
	} `json:"sections"`
}

// section is the fields of a status section (e.g. "metrics"), nil if absent.
func (s *status) section(name string) map[string]string {
	for _, sec := range s.Sections {
		if sec.Name == name {
			return sec.Fields
		}
	}
	return nil
}

type serviceStatus struct {
	ID        string    `json:"id"`
	State     string    `json:"state"`
	Pid       int       `json:"pid"`
	Restarts  int       `json:"restarts"`
	Ready     bool      `json:"ready"`
	StartedAt time.Time `json:"started_at"`
	ReadyAt   time.Time `json:"ready_at"`
	WaitingOn string    `json:"waiting_on"`
	Note      string    `json:"note"`
	Waits     []struct {
		Service   string `json:"service"`
		Local     bool   `json:"local"`
		Satisfied bool   `json:"satisfied"`
		Detail    string `json:"detail"`
	} `json:"waits"`
	LastExit *struct {
		Pid    int    `json:"pid"`
		Code   int    `json:"code"`
		Signal string `json:"signal"`
	} `json:"last_exit"`
}

func (s *status) service(id string) serviceStatus {
	for _, sv := range s.Services {
		if sv.ID == id {
			return sv
		}
	}
	return serviceStatus{ID: id, State: "absent"}
}

func (s *status) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "node %s/%s id %d, ready %v:", s.Node.ConfigID, s.Node.Role, s.Node.ID, s.Ready)
	for _, sv := range s.Services {
		fmt.Fprintf(&b, " [%s %s pid %d restarts %d ready %v %q]", sv.ID, sv.State, sv.Pid, sv.Restarts, sv.Ready, sv.WaitingOn)
	}
	return b.String()
}

// kinit runs the kinit binary inside the node's namespaces (its /run holds
// the control socket at the default path), like `docker exec`.
func (n *node) kinit(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return n.proc.Exec(ctx, n.env, append([]string{n.bin}, args...)...)
}

func (n *node) status(ctx context.Context) (*status, error) {
	out, err := n.kinit(ctx, "status", "--json")
	if err != nil {
		return nil, fmt.Errorf("kinit status: %v: %s", err, out)
	}
	var st status
	if err := json.Unmarshal(out, &st); err != nil {
		return nil, fmt.Errorf("kinit status: %v: %s", err, out)
	}
	return &st, nil
}

// waitStatus polls the status until cond holds. It fails the test when kinit
// exits or ctx ends first.
func (n *node) waitStatus(ctx context.Context, t testing.TB, what string, cond func(*status) bool) *status {
	t.Helper()
	var last *status
	var lastErr error
	for {
		st, err := n.status(ctx)
		if err == nil && cond(st) {
			return st
		}
		if err == nil {
			last = st
		}
		lastErr = err
		select {
		case <-n.proc.Done():
			t.Fatalf("%s: kinit exited with %d while waiting for %s", n.host.Name, n.proc.ExitCode(), what)
		case <-ctx.Done():
			t.Fatalf("%s: no %s: %v; last status %v, last error %v", n.host.Name, what, ctx.Err(), last, lastErr)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (n *node) waitReady(ctx context.Context, t testing.TB) *status {
	t.Helper()
	return n.waitStatus(ctx, t, "all services ready", func(s *status) bool { return s.Ready })
}

// milestones logs how long each step took (go test -v shows them); the
// figures in docs/demo.md come from here. No limit is asserted.
func milestones(t testing.TB) func(what string) {
	start := time.Now()
	last := start
	return func(what string) {
		t.Helper()
		now := time.Now()
		t.Logf("%6.1fs (+%5.1fs) %s", now.Sub(start).Seconds(), now.Sub(last).Seconds(), what)
		last = now
	}
}
