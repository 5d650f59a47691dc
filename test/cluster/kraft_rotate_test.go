package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/test/kafkahome"
	"github.com/kinit/kinit/test/nethost"
)

// checkRotation replaces broker n's certificate the way a Secret update
// or cert-manager renewal does (new key and certificate from caDir, the
// cluster's CA or an intermediate of it, moved into place): kinit re-renders the broker's PEM keystore and the
// broker loads it in place. The new serial is served on its listener (a
// TLS handshake by openssl), the broker process is the same and has not
// restarted, and clients go on.
func checkRotation(ctx context.Context, t *testing.T, n *node, caDir, ca string, mark func(string)) {
	t.Helper()
	before, err := n.status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	broker := before.service("kraft-broker")

	fqdn := n.host.FQDN
	dir := filepath.Join(n.host.Dir, "tls")
	// renew issues a certificate for hosts from the same CA and moves it
	// into place; it returns its serial.
	renew := func(hosts ...string) string {
		work := filepath.Join(t.TempDir(), "renew")
		for _, f := range []string{tlsdir.CAFile, tlsdir.CAKeyFile} {
			copyFile(t, filepath.Join(caDir, f), filepath.Join(work, f))
		}
		if _, err := tlsdir.Issue(work, tlsdir.Identity{CommonName: fqdn, Hosts: hosts}, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{tlsdir.KeyFile, tlsdir.CertFile} {
			copyFile(t, filepath.Join(work, f), filepath.Join(dir, f+".new"))
			if err := os.Rename(filepath.Join(dir, f+".new"), filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
		return certSerial(t, filepath.Join(work, tlsdir.CertFile))
	}
	// servedSerial is the serial the broker's listener presents in a TLS
	// handshake (openssl, independent of kinit and Kafka's clients).
	servedSerial := func() string {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		out, _ := n.host.Command(cctx, "/bin/sh", "-c",
			`openssl s_client -connect "$0:9092" -servername "$0" -CAfile "$1" </dev/null 2>/dev/null | openssl x509 -noout -serial`, fqdn, ca).Output()
		return strings.TrimPrefix(strings.TrimSpace(string(out)), "serial=")
	}
	// A certificate for another host is refused, naming the file; the
	// broker keeps serving its own.
	old := certSerial(t, filepath.Join(dir, tlsdir.CertFile))
	renew("other.kinit.test")
	for !strings.Contains(n.proc.Output(), `tls.crt: does not name host \"`+fqdn) {
		if ctx.Err() != nil {
			t.Fatalf("kinit did not refuse a certificate for another host")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := servedSerial(); !sameSerial(got, old) {
		t.Errorf("after a refused certificate the broker serves serial %q; want its old %s", got, old)
	}
	serial := renew(fqdn, "localhost", "127.0.0.1")

	deadline := time.Now().Add(90 * time.Second)
	var served string
	for {
		served = servedSerial()
		if sameSerial(served, serial) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s serves serial %q, not the new certificate's %s", fqdn, served, serial)
		}
		time.Sleep(time.Second)
	}
	after, err := n.status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b := after.service("kraft-broker"); b.Pid != broker.Pid || b.Restarts != broker.Restarts || !b.Ready {
		t.Errorf("the broker was restarted for the new certificate: pid %d -> %d, restarts %d -> %d, ready %v",
			broker.Pid, b.Pid, broker.Restarts, b.Restarts, b.Ready)
	}
	if sec := after.section("tls"); !sameSerial(sec["serial"], serial) || sec["not_after"] == "" || sec["warning"] != "" {
		t.Errorf("kinit status tls section %v; want serial %s", sec, serial)
	}
	if !strings.Contains(n.proc.Output(), "keystore.pem on SASL_SSL without a restart") {
		t.Errorf("kinit did not log the reload")
	}
	mark("certificate rotated: the new serial served, the broker not restarted")
}

// certSerial is the serial of the first certificate in a PEM file, in hex.
func certSerial(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(c.SerialNumber.Text(16))
}

func sameSerial(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0"))
}

// steadyProducer is Kafka's console producer (acks=all, idempotent) on a
// host, fed a numbered record every 20 ms until stop: the client that
// must not notice a certificate rotation.
type steadyProducer struct {
	cmd  *exec.Cmd
	out  strings.Builder
	sent int
	quit chan struct{}
	done chan struct{}
}

func startProducer(ctx context.Context, t *testing.T, h *nethost.Host, runClass, props, bootstrap, topic string) *steadyProducer {
	t.Helper()
	p := &steadyProducer{quit: make(chan struct{}), done: make(chan struct{})}
	p.cmd = h.Command(ctx, runClass, "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", bootstrap, "--topic", topic,
		"--producer.config", props, "--producer-property", "acks=all", "--producer-property", "enable.idempotence=true")
	p.cmd.Env = append(os.Environ(), kafkahome.JVMEnv()...)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	in, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		defer in.Close()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
				if _, err := fmt.Fprintf(in, "steady-%d\n", p.sent); err != nil {
					return
				}
				p.sent++
			}
		}
	}()
	return p
}

// stop ends the input, waits for the producer to flush and exit, and
// returns how many records it was given and how many sends failed.
func (p *steadyProducer) stop(t *testing.T) (sent, failed int) {
	t.Helper()
	close(p.quit)
	<-p.done
	err := p.cmd.Wait()
	out := p.out.String()
	failed = strings.Count(out, "Error when sending message")
	if err != nil {
		t.Errorf("the producer exited with %v:\n%s", err, digest(out, 40))
	}
	return p.sent, failed
}

// testCA writes a root CA into dir (ca.crt, ca.key) as kinit's
// development CA does, except that it may sign one level of
// intermediates: production CAs do, and kinit's own (path length 0)
// cannot. Nodes given it issue their own certificates from it at start.
func testCA(t *testing.T, dir string) {
	t.Helper()
	writeCA(t, dir, "kinit test CA", 1, nil, nil)
}

// intermediateOf makes a new intermediate CA signed by the CA in rootDir
// and returns a directory holding it as ca.crt and its key as ca.key: a
// certificate issued from there carries the chain leaf, intermediate,
// while the nodes keep trusting the root alone (their ca.crt).
func intermediateOf(t *testing.T, rootDir string) string {
	t.Helper()
	rootPEM, err := os.ReadFile(filepath.Join(rootDir, tlsdir.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(rootPEM)
	root, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(rootDir, tlsdir.CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := pem.Decode(keyPEM)
	rootKey, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "intermediate")
	writeCA(t, dir, "kinit test intermediate", 0, root, rootKey)
	return dir
}

// writeCA writes a CA certificate (signed by parent, self-signed when
// parent is nil) and its PKCS#8 key into dir.
func writeCA(t *testing.T, dir, cn string, pathLen int, parent *x509.Certificate, parentKey any) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().AddDate(2, 0, 0), IsCA: true, BasicConstraintsValid: true,
		MaxPathLen: pathLen, MaxPathLenZero: pathLen == 0, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.WriteFile(filepath.Join(dir, tlsdir.CAFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644) != nil ||
		os.WriteFile(filepath.Join(dir, tlsdir.CAKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600) != nil {
		t.Fatal("cannot write the CA")
	}
}
