package metrics

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	esstandin "github.com/kinit/kinit/standins/elasticsearch"
	"golang.org/x/sys/unix"
)

const (
	testAPIKey   = "a2luaXQ6c3VwZXItc2VjcmV0LWtleQ=="
	testPassword = "hunter2-very-secret"
)

// TestAuth delivers with each way of authenticating, checks the header the
// stand-in saw, and that no secret reaches the logs or the status even when
// authentication fails.
func TestAuth(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("kinit:"+testPassword))
	tests := []struct {
		name      string
		server    esstandin.Options
		cfg       func(url string) Config
		wantAuth  string
		wantError string // when authentication must fail
	}{
		{"api key", esstandin.Options{APIKey: testAPIKey},
			func(u string) Config { return Config{URLs: []string{u}, APIKey: testAPIKey} }, "APIKey " + testAPIKey, ""},
		{"user and password", esstandin.Options{Username: "kinit", Password: testPassword},
			func(u string) Config { return Config{URLs: []string{u}, Username: "kinit", Password: testPassword} }, basic, ""},
		{"userinfo in url", esstandin.Options{Username: "kinit", Password: testPassword},
			func(u string) Config {
				return Config{URLs: []string{strings.Replace(u, "://", "://kinit:"+testPassword+"@", 1)}}
			}, basic, ""},
		{"wrong password", esstandin.Options{Username: "kinit", Password: "other"},
			func(u string) Config { return Config{URLs: []string{u}, Username: "kinit", Password: testPassword} }, basic, "http 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fastBackoff(t)
			es := startStandin(t, tt.server)
			sh, logs := runShipper(t, tt.cfg(es.URL()))
			sh.Enqueue(testDoc(1))
			if tt.wantError != "" {
				testkit.Eventually(t, "an auth failure", func() bool { return strings.HasPrefix(sh.State().LastError, tt.wantError) })
			} else {
				testkit.Eventually(t, "delivery", func() bool { return len(es.Docs()) == 1 })
			}
			reqs := es.Requests()
			if len(reqs) == 0 || reqs[0].Authorization != tt.wantAuth {
				t.Errorf("authorization = %q, want %q", reqs[0].Authorization, tt.wantAuth)
			}
			shown := logs.String() + sh.State().LastError
			for _, secret := range []string{testPassword, testAPIKey, strings.TrimPrefix(basic, "Basic ")} {
				if strings.Contains(shown, secret) {
					t.Errorf("secret %q shown in logs/status:\n%s", secret, shown)
				}
			}
		})
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor(Config{APIKey: testAPIKey, Username: "u", Password: testPassword})
	in := `Post "https://u:` + testPassword + `@es:9200/_bulk": key ` + testAPIKey + ` token ` + base64.StdEncoding.EncodeToString([]byte("u:"+testPassword))
	out := r.clean(in)
	for _, s := range []string{testPassword, testAPIKey, "u:"} {
		if strings.Contains(out, s) {
			t.Errorf("%q survived redaction: %s", s, out)
		}
	}
}

// writeTestCA makes a CA and a server certificate for 127.0.0.1 signed by
// it; it returns the CA file and the server's TLS config.
func writeTestCA(t *testing.T) (string, *tls.Config) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kinit test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "es stand-in"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
	return caFile, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

func TestTLSWithCAFile(t *testing.T) {
	fastBackoff(t)
	caFile, srvTLS := writeTestCA(t)
	es := startStandin(t, esstandin.Options{TLS: srvTLS, APIKey: testAPIKey})
	if !strings.HasPrefix(es.URL(), "https://") {
		t.Fatalf("stand-in URL %s", es.URL())
	}

	// Without the CA the certificate is unknown: nothing is delivered.
	plain, _ := runShipper(t, Config{URLs: []string{es.URL()}, APIKey: testAPIKey})
	plain.Enqueue(testDoc(0))
	testkit.Eventually(t, "a certificate error", func() bool { return strings.Contains(plain.State().LastError, "certificate") })

	sh, _ := runShipper(t, Config{URLs: []string{es.URL()}, APIKey: testAPIKey, CAFile: caFile})
	sh.Enqueue(testDoc(1))
	testkit.Eventually(t, "delivery over TLS", func() bool { return sh.State().Sent == 1 })
	if got := messages(es.Docs()); len(got) != 1 || got[0] != "doc 1" {
		t.Errorf("stored %v", got)
	}
	if plain.State().Sent != 0 {
		t.Errorf("delivered without trusting the CA")
	}

	if _, err := NewShipper(Config{URLs: []string{es.URL()}, CAFile: filepath.Join(t.TempDir(), "missing.pem")}, nil); err == nil {
		t.Error("a missing CA file was accepted")
	}
	// A FIFO would hang the read, /dev/zero fill memory: both refused.
	fifo := filepath.Join(t.TempDir(), "ca.pem")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{fifo, "/dev/zero"} {
		if _, err := NewShipper(Config{URLs: []string{es.URL()}, CAFile: bad}, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("CA file %s: err = %v", bad, err)
		}
	}
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	os.WriteFile(notPEM, []byte("nope"), 0o600)
	if _, err := NewShipper(Config{URLs: []string{es.URL()}, CAFile: notPEM}, nil); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("CA file without PEM: err = %v", err)
	}
}
