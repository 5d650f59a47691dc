package container

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/plan"
)

// composeAuth is what a client of the secured compose cluster holds: the
// CA scripts/compose-secrets.sh made, the admin password it wrote, and a
// client certificate of that CA for ZooKeeper's mutual TLS.
type composeAuth struct {
	pool     *x509.CertPool
	password string
	client   string // a TLS dir with the client's certificate
}

func newComposeAuth(t *testing.T, secrets string) *composeAuth {
	t.Helper()
	ca := filepath.Join(secrets, "ca")
	pem, err := os.ReadFile(filepath.Join(ca, tlsdir.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", ca)
	}
	pw, err := os.ReadFile(filepath.Join(secrets, "admin.password"))
	if err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(t.TempDir(), "client")
	if err := tlsdir.IssueTo(ca, client, tlsdir.Identity{CommonName: "kinit-test-client", Hosts: []string{"kinit-test-client"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return &composeAuth{pool: pool, password: strings.TrimSpace(string(pw)), client: client}
}

// tlsClient wraps a connection to host in TLS, verifying host's name.
func (a *composeAuth) tlsClient(c net.Conn, host string) net.Conn {
	return tls.Client(c, &tls.Config{RootCAs: a.pool, ServerName: host, MinVersion: tls.VersionTLS12})
}

func (a *composeAuth) scram() sasl.Mechanism {
	return scram.Auth{User: "admin", Pass: a.password}.AsSha512Mechanism()
}

// zkTLS is how the client reaches ZooKeeper host; nil on a plaintext
// cluster.
func (a *composeAuth) zkTLS(host string) *plan.TLS {
	if a == nil {
		return nil
	}
	return &plan.TLS{CAFile: filepath.Join(a.client, tlsdir.CAFile), CertFile: filepath.Join(a.client, tlsdir.CertFile),
		KeyFile: filepath.Join(a.client, tlsdir.KeyFile), ServerName: host}
}
