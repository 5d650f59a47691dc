// Package components runs the real pieces kinit supervises, without kinit:
// ZooKeeper, a Kafka broker and Apicurio Registry through the rootfs
// launchers and the fetched jars, and the Control Center stand-in through
// its start script, all on loopback. It proves the launchers and the
// stand-in before kinit is put in front of them.
package components

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/test/kafkahome"
)

// proc is a started launcher; its pid is the JVM's or the stand-in's, since
// the launchers exec.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done <-chan struct{}
}

func start(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	cmd, log, done := testkit.StartGroup(t, name, env, 0, args...)
	return &proc{name: name, cmd: cmd, log: log, done: done}
}

func (p *proc) output() string {
	data, _ := os.ReadFile(p.log)
	return string(data)
}

func (p *proc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not exit after %v", p.name, sig)
	}
	return p.cmd.ProcessState.ExitCode()
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitHTTP polls url until it answers 2xx, the process exits, or a generous
// deadline passes.
func waitHTTP(t *testing.T, p *proc, url string) *http.Response {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("%s exited (%d) before %s answered", p.name, p.cmd.ProcessState.ExitCode(), url)
		default:
		}
		resp, err := http.Get(url)
		if err == nil && resp.StatusCode/100 == 2 {
			return resp
		}
		if err == nil {
			resp.Body.Close()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within the deadline", url)
	return nil
}

func waitLog(t *testing.T, p *proc, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(p.output(), want) {
		select {
		case <-p.done:
			t.Fatalf("%s exited (%d) before logging %q", p.name, p.cmd.ProcessState.ExitCode(), want)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log %q within the deadline", p.name, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ZooKeeper, a broker, Apicurio Registry and the Control Center stand-in,
// each through its launcher on loopback, ready, then stopped in reverse
// order.
func TestLaunchers(t *testing.T) {
	home := kafkahome.Dir(t)
	apicurio, java21 := kafkahome.Apicurio(t)
	dir := t.TempDir()
	env := append(os.Environ(), kafkahome.JVMEnv()...)
	env = append(env, "LOG_DIR="+filepath.Join(dir, "logs"))

	began := time.Now()
	ports := testkit.FreePorts(t, 5)
	zkPort, brokerPort, srPort, srMgmtPort, c3Port := ports[0], ports[1], ports[2], ports[3], ports[4]
	zkProps := writeFile(t, filepath.Join(dir, "zookeeper.properties"), fmt.Sprintf(
		"dataDir=%s/zookeeper\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=srvr,ruok\n", dir, zkPort))
	zk := start(t, "zookeeper", append(env, "KAFKA_HEAP_OPTS=-Xms128m -Xmx128m"), filepath.Join(home, "bin/zookeeper-server-start"), zkProps)

	bootstrap := fmt.Sprintf("127.0.0.1:%d", brokerPort)
	serverProps := writeFile(t, filepath.Join(dir, "server.properties"), fmt.Sprintf(`broker.id=1
listeners=PLAINTEXT://%[1]s
advertised.listeners=PLAINTEXT://%[1]s
log.dirs=%[2]s/kafka
zookeeper.connect=127.0.0.1:%[3]d
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
`, bootstrap, dir, zkPort))
	broker := start(t, "kafka", env, filepath.Join(home, "bin/kafka-server-start"), serverProps)

	// Apicurio keeps its schemas in the broker (kafkasql) and the stand-in
	// asks it for metadata; both retry until it is up, so all start now.
	// schema-registry-start finds no Confluent jars and runs Apicurio with
	// the file beside the one it is given, as kinit renders both.
	srDir := filepath.Join(dir, "schema-registry")
	if err := os.Mkdir(srDir, 0o755); err != nil {
		t.Fatal(err)
	}
	srProps := writeFile(t, filepath.Join(srDir, "schema-registry.properties"), "# Confluent's file; Apicurio reads the one beside it\n")
	writeFile(t, filepath.Join(srDir, "apicurio-registry.properties"), fmt.Sprintf(`quarkus.http.host=127.0.0.1
quarkus.http.port=%d
quarkus.management.host=127.0.0.1
quarkus.management.port=%d
apicurio.storage.kind=kafkasql
apicurio.kafkasql.bootstrap.servers=%s
apicurio.kafkasql.topic=kafkasql-journal
`, srPort, srMgmtPort, bootstrap))
	sr := start(t, "schema-registry", append(env, "APICURIO_HOME="+apicurio, "JAVA_HOME="+java21, "JAVA_OPTS=-Xmx256m -XX:+UseSerialGC"),
		filepath.Join(home, "bin/schema-registry-start"), srProps)
	c3Props := writeFile(t, filepath.Join(dir, "control-center.properties"), fmt.Sprintf(
		"bootstrap.servers=%s\nconfluent.controlcenter.rest.listeners=http://127.0.0.1:%d\nconfluent.controlcenter.schema.registry.url=http://127.0.0.1:%d\n", bootstrap, c3Port, srPort))
	c3 := start(t, "control-center", env, filepath.Join(home, "bin/control-center-start"), "-broker-wait", "3m", c3Props)

	waitHTTP(t, sr, fmt.Sprintf("http://127.0.0.1:%d/health/ready", srMgmtPort)).Body.Close()
	resp := waitHTTP(t, sr, fmt.Sprintf("http://127.0.0.1:%d/apis/ccompat/v7/subjects", srPort))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("GET /apis/ccompat/v7/subjects = %q, want []", body)
	}
	// The launchers exec, so the pid started is Apicurio's JVM on Java 21+.
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", sr.cmd.Process.Pid))
	argv := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	if len(argv) == 0 || argv[0] != java21+"/bin/java" || argv[len(argv)-1] != apicurio+"/quarkus-run.jar" {
		t.Errorf("schema-registry-start's pid runs %q, want %s/bin/java … %s/quarkus-run.jar", argv, java21, apicurio)
	}
	waitHTTP(t, c3, fmt.Sprintf("http://127.0.0.1:%d/", c3Port)).Body.Close()
	t.Logf("zookeeper, broker, Apicurio and the Control Center stand-in ready in %s", time.Since(began).Round(time.Millisecond))

	// The Control Center stand-in's health asks the live broker.
	resp = waitHTTP(t, c3, fmt.Sprintf("http://127.0.0.1:%d/health", c3Port))
	var h struct {
		Status  string   `json:"status"`
		Brokers []string `json:"brokers"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Status != "UP" || len(h.Brokers) != 1 || !strings.HasPrefix(h.Brokers[0], "1@127.0.0.1:") {
		t.Errorf("GET /health = %+v, want UP with broker 1", h)
	}

	// Stop in reverse order: the stand-in exits 0 on SIGTERM, Apicurio
	// runs Quarkus' shutdown, the broker its controlled shutdown,
	// ZooKeeper last.
	if code := c3.stop(t, syscall.SIGTERM); code != 0 || !strings.Contains(c3.output(), "stand-in shut down") {
		t.Errorf("control-center exited %d after SIGTERM, want 0 and its shutdown logged\n%s", code, c3.output())
	}
	sr.stop(t, syscall.SIGTERM)
	if !strings.Contains(sr.output(), "stopped in") {
		t.Errorf("Apicurio did not log Quarkus' shutdown:\n%s", sr.output())
	}
	waitLog(t, broker, "started (kafka.server.KafkaServer)")
	broker.stop(t, syscall.SIGTERM) // the JVM exits 143 after its shutdown hooks
	for _, want := range []string{"Controlled shutdown request returned successfully", "shut down completed (kafka.server.KafkaServer)"} {
		if !strings.Contains(broker.output(), want) {
			t.Errorf("broker log lacks %q", want)
		}
	}
	zk.stop(t, syscall.SIGTERM)
}

// With no broker, the Control Center stand-in gives up after its wait and
// exits 1, saying why.
func TestStandinWithoutBrokers(t *testing.T) {
	home := kafkahome.Dir(t)
	dead := fmt.Sprintf("127.0.0.1:%d", testkit.FreePorts(t, 1)[0])
	props := writeFile(t, filepath.Join(t.TempDir(), "control-center.properties"), "bootstrap.servers="+dead+"\n")
	p := start(t, "control-center", os.Environ(), filepath.Join(home, "bin/control-center-start"), "-broker-wait", "2s", props)
	select {
	case <-p.done:
	case <-time.After(2 * time.Minute):
		t.Fatal("stand-in still running")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, p.output())
	}
	if !strings.Contains(p.output(), "cannot reach kafka brokers "+dead) {
		t.Errorf("no clear message:\n%s", p.output())
	}
}
