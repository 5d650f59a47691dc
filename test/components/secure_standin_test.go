package components

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
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

// buildStandin builds the Control Center stand-in from this tree, so the
// test runs the code under test, not a binary `make kafka` left in the
// Kafka home.
func buildStandin(t *testing.T) string {
	t.Helper()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "kinit-standin-control-center")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kinit-standin-control-center")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveTLS serves 404 for everything over TLS with the node's certificate,
// as kinit's registry serves https from the node's CA.
func serveTLS(t *testing.T, certFile, keyFile string) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "https://" + ln.Addr().String()
}

// The Control Center stand-in against a secured KRaft node (issue 23),
// configured with the properties kinit renders for it: it shows the
// cluster over SASL_SSL with SCRAM-SHA-512 and a PEM truststore, checks
// an https registry trusting the same CA, and with a wrong password, no
// trusted CA or no TLS at all it exits at once saying why, never
// printing a password.
func TestSecureStandin(t *testing.T) {
	const password, wrong = "admin-secret", "wrong-password"
	bin := buildStandin(t)
	n := startSecureKRaft(t, password, "IP:127.0.0.1,DNS:localhost")
	registry := serveTLS(t, filepath.Join(n.dir, "tls.crt"), filepath.Join(n.dir, "tls.key"))

	c3Props := func(name, pass, ca string, secured bool) (string, int) {
		port := testkit.FreePorts(t, 1)[0]
		body := fmt.Sprintf("bootstrap.servers=%s\nconfluent.controlcenter.rest.listeners=http://127.0.0.1:%d\nconfluent.controlcenter.schema.registry.url=%s\n",
			n.bootstrap, port, registry)
		if secured {
			body += fmt.Sprintf(`confluent.controlcenter.streams.security.protocol=SASL_SSL
confluent.controlcenter.streams.sasl.mechanism=SCRAM-SHA-512
confluent.controlcenter.streams.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";
confluent.controlcenter.streams.ssl.truststore.type=PEM
confluent.controlcenter.streams.ssl.truststore.location=%s
`, pass, ca)
		}
		return writeFile(t, filepath.Join(n.dir, name+".properties"), body), port
	}
	noSecret := func(p *proc) {
		t.Helper()
		for _, s := range []string{password, wrong} { // the rotated one holds the first
			if strings.Contains(p.output(), s) {
				t.Errorf("%s prints a password:\n%s", p.name, p.output())
			}
		}
	}
	ca := filepath.Join(n.dir, "ca.crt")

	// The refused ones start first and run beside the good one; each
	// waits up to 3 minutes for brokers, so exiting within 60 s means
	// it gave up on the refusal, not on the wait.
	refusedProps := []struct {
		name, props, want string
	}{
		{"bad-login", first(c3Props("bad-login", wrong, ca, true)),
			`cannot connect to kafka brokers ` + n.bootstrap + `: authentication failed (SCRAM-SHA-512 as user "admin")`},
		{"untrusted-ca", first(c3Props("untrusted-ca", password, filepath.Join(n.dir, "other-ca.crt"), true)),
			`cannot connect to kafka brokers ` + n.bootstrap + `: TLS: the broker's certificate is signed by a CA the truststore does not hold`},
		{"plaintext", first(c3Props("plaintext", "", "", false)),
			`cannot connect to kafka brokers ` + n.bootstrap + `: the broker speaks TLS, security.protocol says PLAINTEXT`},
	}
	began := time.Now()
	refused := make([]*proc, len(refusedProps))
	for i, r := range refusedProps {
		refused[i] = start(t, "control-center-"+r.name, os.Environ(), bin, "-broker-wait", "3m", r.props)
	}

	props, port := c3Props("control-center", password, ca, true)
	c3 := start(t, "control-center", os.Environ(), bin, "-broker-wait", "3m", props)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	resp := waitHTTP(t, c3, base+"/")
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		">" + n.clusterID + "<",
		"1@" + n.bootstrap,
		"SASL_SSL (SCRAM-SHA-512 as &#34;admin&#34;, trusting CA " + ca + ")",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("GET / lacks %q:\n%s", want, page)
		}
	}
	resp = waitHTTP(t, c3, base+"/health")
	var h struct {
		Status         string   `json:"status"`
		ClusterID      string   `json:"cluster_id"`
		Brokers        []string `json:"brokers"`
		SchemaRegistry struct {
			URL    string `json:"url"`
			Status string `json:"status"`
			Code   int    `json:"http_status"`
			Error  string `json:"error"`
		} `json:"schema_registry"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Error(err)
	}
	resp.Body.Close()
	if h.Status != "UP" || h.ClusterID != n.clusterID || len(h.Brokers) != 1 || h.Brokers[0] != "1@"+n.bootstrap {
		t.Errorf("GET /health = %+v, want UP, cluster %s, broker 1@%s", h, n.clusterID, n.bootstrap)
	}
	if h.SchemaRegistry.URL != registry || h.SchemaRegistry.Status != "UP" || h.SchemaRegistry.Code != http.StatusNotFound {
		t.Errorf("GET /health schema_registry = %+v, want UP (404 from %s), its certificate trusted", h.SchemaRegistry, registry)
	}
	if out := c3.output(); !strings.Contains(out, `kafka security: SASL_SSL (SCRAM-SHA-512 as "admin", trusting CA `+ca+`)`) {
		t.Errorf("the log does not say how the stand-in connects:\n%s", out)
	}

	for i, r := range refusedProps {
		p := refused[i]
		select {
		case <-p.done:
		case <-time.After(time.Until(began.Add(60 * time.Second))):
			t.Fatalf("%s still waits for the brokers after %s; a refusal must end the wait\n%s", p.name, time.Since(began), p.output())
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("%s exited %d, want 1", p.name, code)
		}
		if !strings.Contains(p.output(), "ERROR "+r.want) {
			t.Errorf("%s does not log %q:\n%s", p.name, r.want, p.output())
		}
		noSecret(p)
		t.Logf("%s exited after %s:\n%s", p.name, time.Since(began).Round(time.Millisecond), p.output())
	}

	// The admin password changes under the running stand-in: /health
	// asks again, is refused, and says so.
	adminProps := writeFile(t, filepath.Join(n.dir, "admin.properties"), fmt.Sprintf(`security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";
ssl.truststore.type=PEM
ssl.truststore.location=%s
`, password, ca))
	if out, err := runTool(append(n.env, "KAFKA_HEAP_OPTS=-Xms64m -Xmx128m"), filepath.Join(n.home, "bin/kafka-run-class"), "org.apache.kafka.tools.ConfigCommand", "--bootstrap-server", n.bootstrap,
		"--command-config", adminProps, "--alter", "--entity-type", "users", "--entity-name", "admin",
		"--add-config", "SCRAM-SHA-512=[password="+password+"-rotated]"); err != nil {
		t.Fatalf("kafka-configs: %v\n%s", err, out)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(base + "/health")
		if err != nil {
			t.Fatal(err)
		}
		var down struct{ Status, Error string }
		_ = json.NewDecoder(resp.Body).Decode(&down)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && down.Status == "DOWN" &&
			strings.HasPrefix(down.Error, `authentication failed (SCRAM-SHA-512 as user "admin")`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /health after the password changed = %d %+v, want 503 DOWN, authentication failed", resp.StatusCode, down)
		}
		time.Sleep(500 * time.Millisecond)
	}

	if code := c3.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("control-center exited %d after SIGTERM, want 0", code)
	}
	noSecret(c3)
}

func first(s string, _ int) string { return s }
