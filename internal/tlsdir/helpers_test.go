package tlsdir

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
)

// now is the instant every test checks at.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// testCA is a CA made by the test itself, apart from NewCA, so that Check
// is judged against material the package did not make.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newTestCA(t *testing.T, cn string, from, until time.Time) testCA {
	t.Helper()
	key := ecKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: from, NotAfter: until, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert, key}
}

// leafSpec is what a test leaf certificate differs in.
type leafSpec struct {
	from, until time.Time
	dns         []string
	ips         []string
	eku         []x509.ExtKeyUsage
}

func goodLeaf() leafSpec {
	return leafSpec{
		from: now.Add(-time.Hour), until: now.Add(30 * 24 * time.Hour),
		dns: []string{"broker-1.example", "localhost"}, ips: []string{"127.0.0.1", "10.1.2.3"},
		eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
}

// issue signs a leaf for key's public half and returns its PEM.
func (ca testCA) issue(t *testing.T, key crypto.Signer, s leafSpec) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "broker-1"},
		NotBefore: s.from, NotAfter: s.until, DNSNames: s.dns, ExtKeyUsage: s.eku,
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	for _, ip := range s.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return encodePEM("CERTIFICATE", der)
}

func (ca testCA) pem() []byte { return encodePEM("CERTIFICATE", ca.cert.Raw) }

func pkcs8(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	p, err := pkcs8PEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sec1(t *testing.T, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return encodePEM("EC PRIVATE KEY", der)
}

func pkcs1(key *rsa.PrivateKey) []byte {
	return encodePEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
}

// file is one file of a test directory.
type file struct {
	data []byte
	mode os.FileMode
}

// goodFiles is a directory Check accepts for broker-1.example.
func goodFiles(t *testing.T) (testCA, map[string]file) {
	t.Helper()
	ca := newTestCA(t, "test CA", now.Add(-24*time.Hour), now.Add(365*24*time.Hour))
	key := ecKey(t)
	return ca, map[string]file{
		CAFile:   {ca.pem(), 0o644},
		CertFile: {ca.issue(t, key, goodLeaf()), 0o644},
		KeyFile:  {pkcs8(t, key), 0o600},
	}
}

func writeFiles(t *testing.T, dir string, files map[string]file) {
	t.Helper()
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
}

// problems splits err into its lines.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	var m *multierror.Error
	if !errors.As(err, &m) {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range m.WrappedErrors() {
		out = append(out, e.Error())
	}
	return out
}

// pemTypes lists the block types of data, in order.
func pemTypes(data []byte) []string {
	var types []string
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			return types
		}
		types = append(types, b.Type)
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func hasLine(lines []string, prefix, substr string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, substr) {
			return true
		}
	}
	return false
}
