// Package components runs the real pieces kinit supervises, without kinit:
// ZooKeeper and a Kafka broker through the rootfs launchers and the fetched
// jars, and the Schema Registry and Control Center stand-ins through their
// start scripts, all on loopback. It proves the launchers and stand-ins
// before kinit is put in front of them.
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
	done chan struct{}
}

func start(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("--- %s:\n%s", name, p.output())
		}
	})
	return p
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

func TestLaunchersAndStandins(t *testing.T) {
	home := kafkahome.Dir(t)
	dir := t.TempDir()
	env := append(os.Environ(), kafkahome.JVMEnv()...)
	env = append(env, "LOG_DIR="+filepath.Join(dir, "logs"))

	began := time.Now()
	ports := testkit.FreePorts(t, 4)
	zkPort, brokerPort, srPort, c3Port := ports[0], ports[1], ports[2], ports[3]
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

	// The stand-ins wait for the broker themselves (a Metadata request), so
	// they can start right away; the broker is ready when they answer.
	srProps := writeFile(t, filepath.Join(dir, "schema-registry.properties"), fmt.Sprintf(
		"listeners=http://127.0.0.1:%d\nkafkastore.bootstrap.servers=PLAINTEXT://%s\nhost.name=localhost\nkafkastore.init.timeout.ms=180000\n", srPort, bootstrap))
	sr := start(t, "schema-registry", env, filepath.Join(home, "bin/schema-registry-start"), srProps)
	c3Props := writeFile(t, filepath.Join(dir, "control-center.properties"), fmt.Sprintf(
		"bootstrap.servers=%s\nconfluent.controlcenter.rest.listeners=http://127.0.0.1:%d\nconfluent.controlcenter.schema.registry.url=http://127.0.0.1:%d\n", bootstrap, c3Port, srPort))
	c3 := start(t, "control-center", env, filepath.Join(home, "bin/control-center-start"), "-broker-wait", "3m", c3Props)

	resp := waitHTTP(t, sr, fmt.Sprintf("http://127.0.0.1:%d/subjects", srPort))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(body)) != "[]" || resp.Header.Get("Content-Type") != "application/vnd.schemaregistry.v1+json" {
		t.Errorf("GET /subjects = %q (%s)", body, resp.Header.Get("Content-Type"))
	}
	waitHTTP(t, c3, fmt.Sprintf("http://127.0.0.1:%d/", c3Port)).Body.Close()
	t.Logf("zookeeper, broker and both stand-ins ready in %s", time.Since(began).Round(time.Millisecond))

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
	if !strings.Contains(sr.output(), "Schema Registry stand-in") {
		t.Errorf("schema-registry-start did not run the stand-in:\n%s", sr.output())
	}

	// Stop in reverse order: stand-ins exit 0 on SIGTERM, the broker runs
	// its controlled shutdown, ZooKeeper last.
	for _, p := range []*proc{c3, sr} {
		if code := p.stop(t, syscall.SIGTERM); code != 0 {
			t.Errorf("%s exited %d after SIGTERM, want 0\n%s", p.name, code, p.output())
		}
		if !strings.Contains(p.output(), "stand-in shut down") {
			t.Errorf("%s did not log its shutdown:\n%s", p.name, p.output())
		}
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

// With no broker, a stand-in gives up after its wait and exits 1, saying why.
func TestStandinWithoutBrokers(t *testing.T) {
	home := kafkahome.Dir(t)
	dir := t.TempDir()
	dead := fmt.Sprintf("127.0.0.1:%d", testkit.FreePorts(t, 1)[0])
	tests := []struct {
		name, launcher, props string
	}{
		{"schema-registry", "schema-registry-start", "listeners=http://127.0.0.1:0\nkafkastore.bootstrap.servers=" + dead + "\nkafkastore.init.timeout.ms=2000\n"},
		{"control-center", "control-center-start", "bootstrap.servers=" + dead + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := writeFile(t, filepath.Join(dir, tt.name+".properties"), tt.props)
			args := []string{filepath.Join(home, "bin", tt.launcher)}
			if tt.name == "control-center" {
				args = append(args, "-broker-wait", "2s")
			}
			p := start(t, tt.name, os.Environ(), append(args, props)...)
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
		})
	}
}
