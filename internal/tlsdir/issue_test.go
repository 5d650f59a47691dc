package tlsdir

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca") // made when missing
	if err := NewCA(dir, "kinit dev CA", now); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, filepath.Join(dir, CAKeyFile)); m != 0o600 {
		t.Errorf("ca.key mode %04o, want 0600", m)
	}
	if m := mode(t, filepath.Join(dir, CAFile)); m != 0o644 {
		t.Errorf("ca.crt mode %04o, want 0644", m)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(dir, CAKeyFile))
	if got := pemTypes(keyPEM); !slices.Equal(got, []string{"PRIVATE KEY"}) {
		t.Errorf("ca.key holds %q, want one PKCS#8 PRIVATE KEY", got)
	}
	certPEM, _ := os.ReadFile(filepath.Join(dir, CAFile))
	certs, err := parseCerts(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	ca := certs[0]
	if !ca.IsCA || ca.Subject.CommonName != "kinit dev CA" || ca.CheckSignatureFrom(ca) != nil {
		t.Errorf("not a self-signed CA named kinit dev CA: CA %v, subject %s", ca.IsCA, ca.Subject)
	}
	if want := now.AddDate(10, 0, 0); ca.NotAfter.Before(want.Add(-3*24*time.Hour)) || ca.NotAfter.After(want) {
		t.Errorf("valid until %s, want ten years from %s", ca.NotAfter, now)
	}
	key, err := parseKey(keyPEM)
	if err != nil || !samePublicKey(key, ca.PublicKey) {
		t.Errorf("ca.key is not the CA's key (%v)", err)
	}

	// A second CA would orphan every certificate the first issued.
	err = NewCA(dir, "another", now)
	if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, CAKeyFile)+": exists already") {
		t.Fatalf("second NewCA: %v, want ca.key exists already", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, CAKeyFile)); !bytes.Equal(after, keyPEM) {
		t.Error("ca.key was replaced")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, CAFile)); !bytes.Equal(after, certPEM) {
		t.Error("ca.crt was replaced")
	}
}

func TestIssueThenCheck(t *testing.T) {
	dir := t.TempDir()
	if err := NewCA(dir, "kinit dev CA", now); err != nil {
		t.Fatal(err)
	}
	id := Identity{CommonName: "broker-1", Hosts: []string{"broker-1.kafka.svc", "kafka.example", "10.1.2.3", "::1"}}
	issued, err := Issue(dir, id, now)
	if err != nil || !issued {
		t.Fatalf("Issue: %v, %v", issued, err)
	}
	if m := mode(t, filepath.Join(dir, KeyFile)); m != 0o600 {
		t.Errorf("tls.key mode %04o, want 0600", m)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if got := pemTypes(keyPEM); !slices.Equal(got, []string{"PRIVATE KEY"}) {
		t.Errorf("tls.key holds %q, want one PKCS#8 PRIVATE KEY", got)
	}
	certPEM, _ := os.ReadFile(filepath.Join(dir, CertFile))
	chain, err := parseCerts(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(filepath.Join(dir, CAFile))
	if len(chain) != 2 || !bytes.Equal(encodePEM("CERTIFICATE", chain[1].Raw), caPEM) {
		t.Errorf("tls.crt holds %d certificates, want the leaf then the CA", len(chain))
	}
	leaf := chain[0]
	if leaf.Subject.CommonName != "broker-1" || leaf.IsCA {
		t.Errorf("leaf subject %s, CA %v", leaf.Subject, leaf.IsCA)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
		t.Errorf("extended key usage %v, want server and client auth", leaf.ExtKeyUsage)
	}
	if want := now.AddDate(1, 0, 0); leaf.NotAfter.Before(want.Add(-2*24*time.Hour)) || leaf.NotAfter.After(want) {
		t.Errorf("valid until %s, want a year from %s", leaf.NotAfter, now)
	}
	hosts := append(slices.Clone(id.Hosts), "localhost", "127.0.0.1")
	m, err := Check(dir, hosts, now)
	if err != nil {
		t.Fatalf("Check after Issue: %v", err)
	}
	if !m.CAKeyMounted || !m.NotAfter.Equal(leaf.NotAfter) {
		t.Errorf("Material %+v", m)
	}
	// A day before the CA was made is before the certificate too.
	if _, err := Check(dir, hosts, now.Add(-24*time.Hour)); err == nil {
		t.Error("Check before the certificate's start passed")
	}

	// Idempotent: a restart keeps the node's certificate and key.
	issued, err = Issue(dir, Identity{CommonName: "other", Hosts: []string{"other.example"}}, now.Add(time.Hour))
	if err != nil || issued {
		t.Fatalf("second Issue: %v, %v; want nothing done", issued, err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, CertFile)); !bytes.Equal(after, certPEM) {
		t.Error("tls.crt changed")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, KeyFile)); !bytes.Equal(after, keyPEM) {
		t.Error("tls.key changed")
	}
}

func TestIssueDoesNothingWithoutTheCA(t *testing.T) {
	for _, name := range []string{CAFile, CAKeyFile} {
		t.Run("without "+name, func(t *testing.T) {
			dir := t.TempDir()
			if err := NewCA(dir, "kinit dev CA", now); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, name))
			issued, err := Issue(dir, Identity{Hosts: []string{"broker-1.example"}}, now)
			if err != nil || issued {
				t.Fatalf("Issue: %v, %v; want nothing done", issued, err)
			}
			for _, f := range []string{CertFile, KeyFile} {
				if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s written", f)
				}
			}
		})
	}
}

func TestIssueRefusesBadInput(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(t *testing.T, dir string)
		hosts []string
		want  []string // problems, dir/ replaced by the directory
	}{
		{name: "a host that is no name", hosts: []string{"broker 1", "ok.example", "-x"},
			want: []string{`cannot issue a certificate for "broker 1", "-x": not a DNS name or IP address`}},
		{name: "ca.key of another CA", hosts: []string{"b.example"},
			edit: func(t *testing.T, dir string) {
				os.WriteFile(filepath.Join(dir, CAKeyFile), pkcs8(t, ecKey(t)), 0o600)
			},
			want: []string{"dir/ca.key: does not match the certificate in dir/ca.crt"}},
		{name: "ca.crt not PEM and ca.key not a key", hosts: []string{"b.example"},
			edit: func(t *testing.T, dir string) {
				os.WriteFile(filepath.Join(dir, CAFile), []byte("x"), 0o644)
				os.WriteFile(filepath.Join(dir, CAKeyFile), encodePEM("CERTIFICATE", []byte("x")), 0o600)
			},
			want: []string{"dir/ca.crt: not PEM", "dir/ca.key: holds no private key (PEM blocks: CERTIFICATE)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := NewCA(dir, "kinit dev CA", now); err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(t, dir)
			}
			issued, err := Issue(dir, Identity{Hosts: tt.hosts}, now)
			if issued {
				t.Error("issued")
			}
			got := problems(err)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %q", got, tt.want)
			}
			for i, w := range tt.want {
				if w = strings.ReplaceAll(w, "dir/", dir+"/"); !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %q, want %q", got[i], w)
				}
			}
			for _, f := range []string{CertFile, KeyFile} {
				if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s written", f)
				}
			}
		})
	}
}

// A crash after tls.key and before tls.crt leaves a key without a
// certificate: the next start issues anew.
func TestIssueAfterAStrayKey(t *testing.T) {
	dir := t.TempDir()
	if err := NewCA(dir, "kinit dev CA", now); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("half"), 0o644)
	if issued, err := Issue(dir, Identity{Hosts: []string{"b.example"}}, now); err != nil || !issued {
		t.Fatalf("Issue: %v, %v", issued, err)
	}
	if _, err := Check(dir, []string{"b.example"}, now); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func TestKafkaPEM(t *testing.T) {
	ec, rsa := ecKey(t), rsaKey(t)
	tests := []struct {
		name string
		key  []byte
		want crypto.Signer
	}{
		{"PKCS#8", pkcs8(t, ec), ec},
		{"PKCS#1", pkcs1(rsa), rsa},
		{"SEC1", sec1(t, ec), ec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ca := newTestCA(t, "test CA", now.Add(-time.Hour), now.Add(time.Hour))
			key, err := parseKey(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			chain := append(ca.issue(t, key, goodLeaf()), ca.pem()...)
			// Text between blocks, as openssl writes it, is dropped.
			writeFiles(t, dir, map[string]file{KeyFile: {tt.key, 0o600}, CertFile: {append([]byte("subject=CN=broker-1\n"), chain...), 0o644}})
			out, err := KafkaPEM(Material{KeyFile: filepath.Join(dir, KeyFile), CertFile: filepath.Join(dir, CertFile)})
			if err != nil {
				t.Fatal(err)
			}
			if got := pemTypes(out); !slices.Equal(got, []string{"PRIVATE KEY", "CERTIFICATE", "CERTIFICATE"}) {
				t.Fatalf("blocks %q, want the PKCS#8 key then the chain", got)
			}
			b, rest := pem.Decode(out)
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := k.(crypto.Signer); !ok || !samePublicKey(s, tt.want.Public()) {
				t.Error("the keystore's key is not the mounted key")
			}
			if !bytes.Equal(rest, chain) {
				t.Error("the keystore's chain is not tls.crt's")
			}
		})
	}
}

func TestKafkaPEMBadMaterial(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]file{KeyFile: {[]byte("x"), 0o600}})
	m := Material{KeyFile: filepath.Join(dir, KeyFile), CertFile: filepath.Join(dir, CertFile)}
	_, err := KafkaPEM(m)
	got := problems(err)
	if len(got) != 2 || !strings.HasPrefix(got[0], m.KeyFile+": not PEM") || got[1] != m.CertFile+": missing" {
		t.Fatalf("problems %q", got)
	}
}
