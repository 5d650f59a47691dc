package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const password = "pa55-w0rd!"

// testPKI writes a CA (ca.crt) and a certificate it signs for 127.0.0.1
// with its key, as Kafka's PEM keystore holds them (key.pem: the
// PKCS#8 key, then the certificate), and returns dir.
func testPKI(t *testing.T) (dir string, leaf tls.Certificate) {
	t.Helper()
	dir = t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "node"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	writeTestFile(t, filepath.Join(dir, "ca.crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})))
	writeTestFile(t, filepath.Join(dir, "key.pem"), string(keyPEM)+string(certPEM))
	leaf, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return dir, leaf
}

func writeTestFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func parseProps(t *testing.T, body string) *Properties {
	t.Helper()
	p, err := Parse(strings.NewReader(body), "c3.properties")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSecureConfig(t *testing.T) {
	pki, _ := testPKI(t)
	p := parseProps(t, fmt.Sprintf(`bootstrap.servers=k1:9093,SASL_SSL://k2:9093
confluent.controlcenter.streams.security.protocol=SASL_SSL
confluent.controlcenter.streams.sasl.mechanism=SCRAM-SHA-512
confluent.controlcenter.streams.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";
confluent.controlcenter.streams.ssl.truststore.type=PEM
confluent.controlcenter.streams.ssl.truststore.location=%[2]s/ca.crt
confluent.controlcenter.streams.ssl.keystore.type=PEM
confluent.controlcenter.streams.ssl.keystore.location=%[2]s/key.pem
confluent.controlcenter.schema.registry.url=https://127.0.0.1:8081
`, password, pki))
	c, err := ConfigFrom(p)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Security
	if s.Protocol != SASLSSL || s.Mechanism != ScramSHA512 || s.Username != "admin" || string(s.Password) != password ||
		s.CAFile != pki+"/ca.crt" || s.KeystoreFile != pki+"/key.pem" {
		t.Errorf("Security = %+v", s)
	}
	if strings.Join(c.Bootstrap, ",") != "k1:9093,k2:9093" {
		t.Errorf("Bootstrap = %q", c.Bootstrap)
	}
	tc := s.TLSConfig()
	if tc == nil || tc.RootCAs == nil || len(tc.Certificates) != 1 {
		t.Errorf("TLSConfig = %+v, want the CA and one client certificate", tc)
	}
	if n := len(s.KafkaOpts()); n != 2 {
		t.Errorf("KafkaOpts: %d options, want TLS and SASL", n)
	}
	want := fmt.Sprintf(`SASL_SSL (SCRAM-SHA-512 as "admin", trusting CA %[1]s/ca.crt, client certificate %[1]s/key.pem)`, pki)
	if got := s.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// However the config is printed, the password is not.
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, c); strings.Contains(out, password) {
			t.Errorf("Sprintf(%q, config) shows the password: %s", f, out)
		}
	}

	// The other protocols and mechanisms.
	for _, tt := range []struct {
		props     string
		proto     Protocol
		mech      Mechanism
		tls, sasl bool
	}{
		{"", Plaintext, "", false, false},
		{"security.protocol=ssl\n", SSL, "", true, false},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=u password=p;\n", SASLPlaintext, Plain, false, true},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=u password=p;\n", SASLPlaintext, ScramSHA256, false, true},
	} {
		body := ""
		for _, l := range strings.Split(strings.TrimSpace(tt.props), "\n") {
			if l != "" {
				body += StreamsPrefix + l + "\n"
			}
		}
		s, errs := SecurityFrom(parseProps(t, body))
		if len(errs) != 0 || s.Protocol != tt.proto || s.Mechanism != tt.mech || (s.TLSConfig() != nil) != tt.tls || (s.saslMechanism() != nil) != tt.sasl {
			t.Errorf("SecurityFrom(%q) = %+v, %v", body, s, errs)
		}
	}
}

// Every problem of a file comes back at once, each naming its property
// with file:line, none holding the password.
func TestSecureConfigErrors(t *testing.T) {
	pki, _ := testPKI(t)
	tests := []struct {
		name  string
		props string
		want  []string
	}{
		{"everything wrong", fmt.Sprintf(`bootstrap.servers=PLAINTEXT://k1:9092
confluent.controlcenter.streams.security.protocol=SASL_SSL
confluent.controlcenter.streams.sasl.mechanism=GSSAPI
confluent.controlcenter.streams.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s"
confluent.controlcenter.streams.ssl.truststore.type=JKS
confluent.controlcenter.streams.ssl.truststore.location=/etc/kinit/tls/truststore.jks
confluent.controlcenter.streams.ssl.keystore.type=PKCS12
confluent.controlcenter.streams.ssl.keystore.location=/etc/kinit/tls/keystore.p12
confluent.controlcenter.rest.listeners=https://0.0.0.0:9021
`, password), []string{
			"c3.properties:9: confluent.controlcenter.rest.listeners: ",
			`c3.properties:3: confluent.controlcenter.streams.sasl.mechanism: "GSSAPI" is not supported by the stand-in`,
			`c3.properties:4: confluent.controlcenter.streams.sasl.jaas.config: want ";" at the end`,
			"c3.properties:5: confluent.controlcenter.streams.ssl.truststore.type: JKS is not supported by the stand-in: want PEM",
			"c3.properties:7: confluent.controlcenter.streams.ssl.keystore.type: PKCS12 is not supported by the stand-in: want PEM",
			"c3.properties:1: bootstrap.servers: ",
		}},
		{"unknown protocol, store types left at Kafka's default", `confluent.controlcenter.streams.security.protocol=TLS
`, []string{`c3.properties:1: confluent.controlcenter.streams.security.protocol: want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got "TLS"`}},
		{"JKS by default, files missing or wrong", fmt.Sprintf(`confluent.controlcenter.streams.security.protocol=SSL
confluent.controlcenter.streams.ssl.truststore.location=/etc/kinit/tls/truststore.jks
confluent.controlcenter.streams.ssl.keystore.type=PEM
confluent.controlcenter.streams.ssl.keystore.location=%[1]s/ca.crt
`, pki), []string{
			"c3.properties: confluent.controlcenter.streams.ssl.truststore.type: unset means JKS, Kafka's default",
			"c3.properties:4: confluent.controlcenter.streams.ssl.keystore.location: " + pki + "/ca.crt does not hold a PEM key and its certificate",
		}},
		{"missing files, encrypted key", `confluent.controlcenter.streams.security.protocol=SSL
confluent.controlcenter.streams.ssl.truststore.type=PEM
confluent.controlcenter.streams.ssl.truststore.location=/nonexistent/ca.crt
confluent.controlcenter.streams.ssl.keystore.type=PEM
confluent.controlcenter.streams.ssl.keystore.location=/nonexistent/key.pem
confluent.controlcenter.streams.ssl.key.password=` + password + `
`, []string{
			"c3.properties:3: confluent.controlcenter.streams.ssl.truststore.location: cannot read CA file: open /nonexistent/ca.crt: no such file",
			"c3.properties:6: confluent.controlcenter.streams.ssl.key.password: encrypted keys are not supported",
		}},
		{"SASL without JAAS", `confluent.controlcenter.streams.security.protocol=SASL_PLAINTEXT
confluent.controlcenter.streams.sasl.mechanism=SCRAM-SHA-256
`, []string{"c3.properties: confluent.controlcenter.streams.sasl.jaas.config: required with security.protocol SASL_PLAINTEXT"}},
		{"JAAS of the wrong module, no password", `confluent.controlcenter.streams.security.protocol=SASL_PLAINTEXT
confluent.controlcenter.streams.sasl.mechanism=PLAIN
confluent.controlcenter.streams.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin";
`, []string{
			"c3.properties:3: confluent.controlcenter.streams.sasl.jaas.config: login module org.apache.kafka.common.security.scram.ScramLoginModule does not match sasl.mechanism PLAIN",
			"c3.properties:3: confluent.controlcenter.streams.sasl.jaas.config: want non-empty username and password options",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFrom(parseProps(t, tt.props))
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, w)
				}
				if !found {
					t.Errorf("no error starting %q in:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the password is in the error:\n%v", err)
			}
		})
	}
}

// A bad secured file: exit 78, each problem on its own log line, the
// password nowhere in the output.
func TestMainSecureConfigErrors(t *testing.T) {
	file := writeTestFile(t, filepath.Join(t.TempDir(), "c3.properties"), `confluent.controlcenter.streams.security.protocol=SASL_SSL
confluent.controlcenter.streams.sasl.mechanism=SCRAM-SHA-512
confluent.controlcenter.streams.sasl.jaas.config=ScramLoginModule required username="admin" password="`+password+`
confluent.controlcenter.streams.ssl.truststore.type=PKCS12
confluent.controlcenter.streams.ssl.truststore.location=/etc/kinit/tls/ca.p12
`)
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{file}, &out, &errOut); code != ExitConfig {
		t.Errorf("exit %d, want %d", code, ExitConfig)
	}
	all := out.String() + errOut.String()
	if strings.Contains(all, password) {
		t.Errorf("the password is in the output:\n%s", all)
	}
	if n := strings.Count(all, "ERROR invalid configuration: "+file); n != 2 {
		t.Errorf("%d error lines, want 2 (JAAS, truststore type):\n%s", n, all)
	}
}

// The schema registry's client trusts the truststore's CA: a registry
// with a certificate from it is UP, one from another CA is DOWN.
func TestRegistryTrustsTruststore(t *testing.T) {
	pki, leaf := testPKI(t)
	other, _ := testPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such path", http.StatusNotFound)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()

	sec := func(dir string) Security {
		s, errs := SecurityFrom(parseProps(t, fmt.Sprintf(`confluent.controlcenter.streams.security.protocol=SSL
confluent.controlcenter.streams.ssl.truststore.type=PEM
confluent.controlcenter.streams.ssl.truststore.location=%s/ca.crt
`, dir)))
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		return s
	}
	ctx := context.Background()
	if h := CheckRegistry(ctx, RegistryClient(sec(pki)), srv.URL); h.Status != "UP" || h.Code != http.StatusNotFound {
		t.Errorf("registry with the truststore's CA: %+v, want UP (404)", h)
	}
	if h := CheckRegistry(ctx, RegistryClient(sec(other)), srv.URL); h.Status != "DOWN" || !strings.Contains(h.Error, "certificate signed by unknown authority") {
		t.Errorf("registry with another CA: %+v, want DOWN, unknown authority", h)
	}
}
