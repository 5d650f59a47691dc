package components

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/test/kafkahome"
)

// Apicurio Registry on a secured Kafka 4.4 KRaft node, without kinit
// (issue 23): its KafkaSQL clients reach the SASL_SSL listener with the
// admin user's SCRAM-SHA-512 credentials and trust the node's CA from a
// PEM file; its API and management interface serve TLS from the PEM
// keystore kinit renders (tlsdir.KafkaPEM: key and chain in one file).
// The registry's properties are the shipped template's, macro values
// filled in, plus the very list macros' TestSecurityClients holds kinit's
// overrides to (macros/testdata/secure-registry.properties). The node's
// certificate names node.kinit.test as kinit's probe verifies the node's
// FQDN while it dials loopback.
func TestSecureRegistry(t *testing.T) {
	apicurio, java21 := kafkahome.Apicurio(t)
	const (
		password = "admin-secret"
		fqdn     = "node.kinit.test"
	)
	n := startSecureKRaft(t, password, "DNS:"+fqdn+",IP:127.0.0.1")
	home, dir, env, bootstrap, keystore := n.home, n.dir, n.env, n.bootstrap, n.keystore
	ca := filepath.Join(dir, "ca.crt")
	ports := testkit.FreePorts(t, 2)
	srPort, mgmtPort := ports[0], ports[1]

	// The registry's file, as kinit renders it for a secured node; the
	// rootfs launcher runs Apicurio with the file beside the one it is
	// given.
	srDir := filepath.Join(dir, "schema-registry")
	if err := os.Mkdir(srDir, 0o755); err != nil {
		t.Fatal(err)
	}
	srProps := writeFile(t, filepath.Join(srDir, "schema-registry.properties"), "# Confluent's file; Apicurio reads the one beside it\n")
	srText, overridden := registryProperties(t, srPort, mgmtPort, "SASL_SSL://"+bootstrap, map[string]string{
		"{user}": "admin", "{password}": password, "{ca}": ca, "{keystore}": keystore})
	writeFile(t, filepath.Join(srDir, "apicurio-registry.properties"), srText)
	sr := start(t, "schema-registry", append(env, "APICURIO_HOME="+apicurio, "JAVA_HOME="+java21, "JAVA_OPTS=-Xmx256m -XX:+UseSerialGC"),
		filepath.Join(home, "bin/schema-registry-start"), srProps)

	// A client as a user's: the node's CA, the name in its certificate.
	caPEM, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.crt holds no certificate")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: fqdn, MinVersion: tls.VersionTLS12}}}
	api := fmt.Sprintf("https://127.0.0.1:%d/apis/ccompat/v7", srPort)
	health := fmt.Sprintf("https://127.0.0.1:%d/health/ready", mgmtPort)
	waitHTTPS(t, sr, client, health)
	waitHTTPS(t, sr, client, api+"/subjects")

	// kinit's readiness probe, as macros' httpProbe makes it: https, the
	// node's CA, its FQDN verified.
	ready := probe.HTTP{URLs: []string{health, api + "/subjects"},
		Security: &plan.Security{TLS: &plan.TLS{CAFile: ca, ServerName: fqdn}}}
	if err := checkOnce(ready); err != nil {
		t.Errorf("kinit's http probe with the node's CA: %v", err)
	}
	// Quarkus ignores, with a warning, a key of its own it does not know.
	for _, k := range overridden {
		if strings.Contains(sr.output(), fmt.Sprintf("Unrecognized configuration key %q", k)) {
			t.Errorf("Apicurio does not know %s", k)
		}
	}
	untrusted := probe.HTTP{URLs: ready.URLs,
		Security: &plan.Security{TLS: &plan.TLS{CAFile: filepath.Join(dir, "other-ca.crt"), ServerName: fqdn}}}
	if got, want := probe.Summary(checkOnce(untrusted)), health+" TLS: certificate signed by unknown authority"; !strings.HasPrefix(got, want) {
		t.Errorf("kinit's http probe with another CA: Summary %q, want %q…", got, want)
	}

	// The Confluent-compatible API registers a schema and reads it back.
	const schema = `{"type":"record","name":"Secure","fields":[{"name":"f","type":"string"}]}`
	body, _ := json.Marshal(map[string]string{"schema": schema})
	resp, err := client.Post(api+"/subjects/secure-value/versions", "application/vnd.schemaregistry.v1+json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("register a schema: %v", err)
	}
	var registered struct{ ID int }
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(answer, &registered); resp.StatusCode != http.StatusOK || err != nil || registered.ID == 0 {
		t.Fatalf("register a schema: %s %s", resp.Status, answer)
	}
	resp, err = client.Get(api + "/subjects/secure-value/versions/latest")
	if err != nil {
		t.Fatalf("read the schema back: %v", err)
	}
	var latest struct {
		ID     int
		Schema string
	}
	answer, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(answer, &latest); err != nil || latest.ID != registered.ID || latest.Schema != schema {
		t.Errorf("read the schema back: %s %s, want id %d and the schema registered", resp.Status, answer, registered.ID)
	}

	// Nothing answers plain http, on either port.
	plain := &http.Client{Timeout: 10 * time.Second}
	for _, u := range []string{strings.Replace(api, "https:", "http:", 1) + "/subjects", strings.Replace(health, "https:", "http:", 1)} {
		resp, err := plain.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				t.Errorf("plain GET %s answered %s", u, resp.Status)
			}
		}
	}

	// The registry's journal is on the secured broker and holds the
	// registration: asked over SASL_SSL by a client that is not Apicurio.
	mech := scram.Auth{User: "admin", Pass: password}.AsSha512Mechanism()
	kc, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.SASL(mech),
		kgo.DialTLSConfig(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}))
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(kc).ListEndOffsets(ctx, "kafkasql-journal")
	if err != nil {
		t.Fatalf("end offsets of kafkasql-journal: %v", err)
	}
	var records int64
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Errorf("kafkasql-journal partition %d: %v", o.Partition, o.Err)
		}
		records += o.Offset
	})
	if len(ends) == 0 || records == 0 {
		t.Errorf("kafkasql-journal on the secured broker: %d partitions, %d records; want the registration in it", len(ends), records)
	}
}

// registryProperties is the shipped apicurio-registry.properties template
// with its macros filled in for this test and kinit's overrides for a
// secured node applied as kinit applies them, placeholders replaced; and
// the keys of those overrides.
func registryProperties(t *testing.T, port, mgmtPort int, bootstrap string, values map[string]string) (string, []string) {
	t.Helper()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(filepath.Join(root, "rootfs/etc/kinit/templates/apicurio-registry.properties"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("@@GET_NODE_FQDN@@", "node.kinit.test", "@@NODE_ROLE@@", "test", "@@CONFIG_ID@@", "test",
		"@@LISTEN_HOST@@", "127.0.0.1", "@@PORT@@", fmt.Sprint(port), "@@PORT_SCHEMA_REGISTRY_MANAGEMENT@@", fmt.Sprint(mgmtPort),
		"@@KAFKA_BOOTSTRAP_ENDPOINTS@@", bootstrap).Replace(string(tmpl))
	if strings.Contains(text, "@@") {
		t.Fatalf("the template has a macro this test does not fill:\n%s", text)
	}
	list, err := os.ReadFile(filepath.Join(root, "macros/testdata/secure-registry.properties"))
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for k, v := range values {
		pairs = append(pairs, k, v)
	}
	fill := strings.NewReplacer(pairs...)
	var (
		ovs  []macros.Override
		keys []string
	)
	for _, l := range javaprops.Lines(string(list)) {
		if l.Entry {
			ovs = append(ovs, macros.Override{Key: l.Key, Value: fill.Replace(l.Value)})
			keys = append(keys, l.Key)
		}
	}
	if len(ovs) == 0 {
		t.Fatal("macros/testdata/secure-registry.properties lists no property")
	}
	return macros.ApplyOverrides(text, ovs), keys
}

// waitHTTPS polls url with client until it answers 2xx, the process
// exits, or a generous deadline passes.
func waitHTTPS(t *testing.T, p *proc, client *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("%s exited (%d) before %s answered (last: %s)", p.name, p.cmd.ProcessState.ExitCode(), url, last)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within the deadline (last: %s)", url, last)
}
