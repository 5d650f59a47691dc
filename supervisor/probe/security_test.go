package probe_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
)

// pki is a throwaway CA and the files of one certificate it signed, as
// the Kubernetes layout names them (ca.crt, tls.crt, tls.key).
type pki struct {
	dir, caFile string
	ca          *x509.Certificate
	caKey       *ecdsa.PrivateKey
}

// issued is a certificate pki signed and the files holding it and its
// key (PKCS#8).
type issued struct {
	cert              tls.Certificate
	certFile, keyFile string
}

func newCA(t *testing.T, name string) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	p := &pki{dir: t.TempDir(), ca: ca, caKey: key}
	p.caFile = writePEM(t, filepath.Join(p.dir, "ca.crt"), "CERTIFICATE", der)
	return p
}

// issue signs a certificate for cn with the given names (IP addresses
// or DNS names) and writes it and its key beside the CA.
func (p *pki) issue(t *testing.T, cn string, names ...string) issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	out := issued{
		certFile: writePEM(t, filepath.Join(p.dir, cn+".crt"), "CERTIFICATE", der),
		keyFile:  writePEM(t, filepath.Join(p.dir, cn+".key"), "PRIVATE KEY", pkcs8),
	}
	if out.cert, err = tls.LoadX509KeyPair(out.certFile, out.keyFile); err != nil {
		t.Fatal(err)
	}
	return out
}

func (p *pki) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

func writePEM(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writePassword(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkWithin(p probe.Prober) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.Check(ctx)
}

// A Kafka node behind TLS with SASL PLAIN: the KRaft probes pass with the
// CA and the password file, the registered broker and the quorum both
// read through the authenticated connection.
func TestSecureKafkaProbesPass(t *testing.T) {
	ca := newCA(t, "kinit-test-ca")
	server := ca.issue(t, "node", "127.0.0.1")
	k := newFakeKafka(t, &tls.Config{Certificates: []tls.Certificate{server.cert}}, "s3cret")
	sec := &plan.Security{
		TLS:  &plan.TLS{CAFile: ca.caFile},
		SASL: &plan.SASL{Mechanism: plan.SASLPlain, Username: "admin", PasswordFile: writePassword(t, filepath.Join(t.TempDir(), "password"), "s3cret\n")},
	}
	one := 1
	for _, p := range []probe.Prober{
		probe.KafkaKRaft{Bootstrap: []string{k.addr}, BrokerID: &one, Security: sec},
		probe.KRaftQuorum{Bootstrap: []string{k.addr}, VoterID: &one, Security: sec},
		probe.KRaftQuorum{Local: k.addr, Bootstrap: []string{k.addr}, Security: sec},
	} {
		if err := checkWithin(p); err != nil {
			t.Errorf("%T %s: %v", p, p, err)
		}
	}
	if got := k.passwords(); len(got) != 3 || got[0] != "s3cret" {
		t.Errorf("passwords offered %q, want s3cret three times (one client per check, newline trimmed)", got)
	}
}

// The password is read from its file at each attempt: a rotated Secret
// is used at the next check, a wrong one reads "authentication failed",
// and neither ever shows in an error or a probe's name.
func TestPasswordReadAtEachAttempt(t *testing.T) {
	ca := newCA(t, "kinit-test-ca")
	k := newFakeKafka(t, &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "node", "127.0.0.1").cert}}, "rotated-pass")
	file := writePassword(t, filepath.Join(t.TempDir(), "password"), "old-pass\n")
	p := probe.KafkaKRaft{Bootstrap: []string{k.addr}, Security: &plan.Security{
		TLS:  &plan.TLS{CAFile: ca.caFile},
		SASL: &plan.SASL{Mechanism: plan.SASLPlain, Username: "admin", PasswordFile: file},
	}}
	err := checkWithin(p)
	if want := k.addr + " authentication failed"; probe.Summary(err) != want {
		t.Fatalf("with the old password: Summary %q, want %q (%v)", probe.Summary(err), want, err)
	}
	for _, leak := range []string{err.Error(), probe.Summary(err), p.String()} {
		if strings.Contains(leak, "old-pass") || strings.Contains(leak, "rotated-pass") {
			t.Errorf("a password leaks into %q", leak)
		}
	}
	writePassword(t, file, "rotated-pass\r\n")
	if err := checkWithin(p); err != nil {
		t.Fatalf("after the file changed: %v", err)
	}
	if got, want := k.passwords(), []string{"old-pass", "rotated-pass"}; !slices.Equal(got, want) {
		t.Errorf("passwords offered %q, want %q", got, want)
	}
}

// A credential file that cannot be read is named in the status line, and
// no connection is tried with half the credentials.
func TestCredentialFilesUnreadable(t *testing.T) {
	ca := newCA(t, "kinit-test-ca")
	client := ca.issue(t, "client", "client")
	k := newFakeKafka(t, &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "node", "127.0.0.1").cert}}, "s3cret")
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	empty := writePassword(t, filepath.Join(dir, "empty"), "\n")
	notPEM := writePassword(t, filepath.Join(dir, "ca.crt"), "not a certificate\n")
	saslWith := func(file string) *plan.SASL {
		return &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: "admin", PasswordFile: file}
	}
	for _, c := range []struct {
		sec  *plan.Security
		want string
	}{
		{&plan.Security{SASL: saslWith(missing)}, "cannot read password file " + missing},
		{&plan.Security{SASL: saslWith(empty)}, "cannot read password file " + empty},
		{&plan.Security{TLS: &plan.TLS{CAFile: missing}}, "cannot read CA file " + missing},
		{&plan.Security{TLS: &plan.TLS{CAFile: notPEM}}, "has no PEM certificate in CA file " + notPEM},
		{&plan.Security{TLS: &plan.TLS{CAFile: ca.caFile, CertFile: client.certFile, KeyFile: missing}},
			"cannot load client certificate " + client.certFile + " with key " + missing},
	} {
		for _, p := range []probe.Prober{
			probe.KafkaKRaft{Bootstrap: []string{k.addr}, Security: c.sec},
			probe.KRaftQuorum{Bootstrap: []string{k.addr}, Security: c.sec},
		} {
			err := checkWithin(p)
			if got := probe.Summary(err); !strings.HasSuffix(got, " "+c.want) {
				t.Errorf("%T: Summary %q, want it to end in %q", p, got, c.want)
			}
		}
	}
	if got := k.passwords(); len(got) != 0 {
		t.Errorf("the server was offered %d passwords", len(got))
	}
	u := "https://" + k.addr + "/"
	err := checkWithin(probe.HTTP{URLs: []string{u}, Security: &plan.Security{TLS: &plan.TLS{CAFile: missing}}})
	if got, want := probe.Summary(err), u+" cannot read CA file "+missing; got != want {
		t.Errorf("https probe: Summary %q, want %q", got, want)
	}
}

// A server whose certificate the probe's CA did not sign, or that names
// another host, or that wants a client certificate, fails with a TLS
// reason, never a bare "not answering"; a plaintext probe of a TLS
// listener says it was dropped at once.
func TestTLSFailuresNamed(t *testing.T) {
	ca := newCA(t, "kinit-test-ca")
	other := newCA(t, "another-ca")
	server := ca.issue(t, "node", "kafka.internal")
	client := ca.issue(t, "client", "client")
	k := newFakeKafka(t, &tls.Config{Certificates: []tls.Certificate{server.cert}}, "")
	mtls := newFakeKafka(t, &tls.Config{Certificates: []tls.Certificate{server.cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.pool()}, "")
	named := func(extra plan.TLS) *plan.Security {
		extra.ServerName = "kafka.internal"
		return &plan.Security{TLS: &extra}
	}
	for _, c := range []struct {
		name string
		addr string
		sec  *plan.Security
		want string // "" passes
	}{
		{"trusted, named", k.addr, named(plan.TLS{CAFile: ca.caFile}), ""},
		{"another CA", k.addr, named(plan.TLS{CAFile: other.caFile}), "TLS: certificate signed by unknown authority"},
		{"wrong name", k.addr, &plan.Security{TLS: &plan.TLS{CAFile: ca.caFile}}, "TLS: certificate is not valid for 127.0.0.1"},
		// Kafka sends an alert the client reads as TLS; Go's server just
		// closes the connection.
		{"plaintext to TLS", k.addr, nil, "closed the connection at the first request"},
		{"mTLS without a client certificate", mtls.addr, named(plan.TLS{CAFile: ca.caFile}), "TLS: the server refused the handshake"},
		{"mTLS with the client certificate", mtls.addr, named(plan.TLS{CAFile: ca.caFile, CertFile: client.certFile, KeyFile: client.keyFile}), ""},
	} {
		for _, p := range []probe.Prober{
			probe.KafkaKRaft{Bootstrap: []string{c.addr}, Security: c.sec},
			probe.KRaftQuorum{Bootstrap: []string{c.addr}, Security: c.sec},
		} {
			err := checkWithin(p)
			got := probe.Summary(err)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("%s: %T: %v", c.name, p, err)
			case c.want != "" && !strings.Contains(got, " "+c.want):
				t.Errorf("%s: %T: Summary %q, want %q in it (%v)", c.name, p, got, c.want, err)
			}
		}
	}
}

// An https URL is checked with the probe's CA: trusted it passes, without
// it the status line says the certificate's authority is unknown.
func TestHTTPSWithCA(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	caFile := writePEM(t, filepath.Join(t.TempDir(), "ca.crt"), "CERTIFICATE", srv.Certificate().Raw)
	u := srv.URL + "/health"
	if err := checkWithin(probe.HTTP{URLs: []string{u}, Security: &plan.Security{TLS: &plan.TLS{CAFile: caFile}}}); err != nil {
		t.Errorf("with the CA: %v", err)
	}
	err := checkWithin(probe.HTTP{URLs: []string{u}})
	if got, want := probe.Summary(err), u+" TLS: certificate signed by unknown authority"; !strings.HasPrefix(got, want) {
		t.Errorf("without the CA: Summary %q, want %q…", got, want)
	}
}
