package tlsdir

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// openssl runs the openssl CLI, an implementation apart from Go's, and
// returns its output. Not installed is a failure, not a skip: the image's
// test tools include it (scripts/deps.sh).
func openssl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// What NewCA and Issue make, judged by openssl.
func TestOpensslVerifiesIssued(t *testing.T) {
	dir := t.TempDir()
	real := time.Now()
	if err := NewCA(dir, "kinit dev CA", real); err != nil {
		t.Fatal(err)
	}
	if _, err := Issue(dir, Identity{CommonName: "broker-1", Hosts: []string{"broker-1.kafka.svc", "10.1.2.3"}}, real); err != nil {
		t.Fatal(err)
	}
	ca, crt, key := filepath.Join(dir, CAFile), filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	if out := openssl(t, "verify", "-CAfile", ca, "-purpose", "sslserver", crt); strings.TrimSpace(out) != crt+": OK" {
		t.Errorf("openssl verify: %s", out)
	}
	openssl(t, "verify", "-CAfile", ca, "-purpose", "sslclient", crt)
	san := openssl(t, "x509", "-noout", "-ext", "subjectAltName", "-in", crt)
	for _, want := range []string{"DNS:broker-1.kafka.svc", "DNS:localhost", "IP Address:10.1.2.3", "IP Address:127.0.0.1"} {
		if !strings.Contains(san, want) {
			t.Errorf("subjectAltName lacks %s:\n%s", want, san)
		}
	}
	// The key is tls.crt's, and the CA's key is ca.crt's.
	if a, b := openssl(t, "pkey", "-in", key, "-pubout"), openssl(t, "x509", "-in", crt, "-pubkey", "-noout"); a != b {
		t.Errorf("tls.key's public key:\n%s\ntls.crt's:\n%s", a, b)
	}
	if a, b := openssl(t, "pkey", "-in", filepath.Join(dir, CAKeyFile), "-pubout"), openssl(t, "x509", "-in", ca, "-pubkey", "-noout"); a != b {
		t.Error("ca.key is not ca.crt's key")
	}
}

// Keys in the forms openssl (and cert-manager) write: KafkaPEM hands Kafka
// the same key as PKCS#8 and Check accepts them.
func TestOpensslKeysToKafkaPEM(t *testing.T) {
	tests := []struct {
		name, header string
		genkey       []string
	}{
		{"PKCS#1", "-----BEGIN RSA PRIVATE KEY-----", []string{"genrsa", "-traditional", "-out", "KEY", "2048"}},
		{"SEC1", "-----BEGIN EC PARAMETERS-----", []string{"ecparam", "-name", "prime256v1", "-genkey", "-out", "KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			key, crt := filepath.Join(dir, KeyFile), filepath.Join(dir, CertFile)
			args := slices.Clone(tt.genkey)
			args[slices.Index(args, "KEY")] = key
			openssl(t, args...)
			if b, _ := os.ReadFile(key); !bytes.HasPrefix(b, []byte(tt.header)) {
				t.Fatalf("openssl wrote %.40q, want %s", b, tt.header)
			}
			os.Chmod(key, 0o600)
			openssl(t, "req", "-new", "-x509", "-key", key, "-subj", "/CN=broker-1", "-days", "1",
				"-addext", "subjectAltName=DNS:broker-1.example", "-out", crt)
			os.Link(crt, filepath.Join(dir, CAFile)) // self-signed: its own CA
			m, err := Check(dir, []string{"broker-1.example"}, time.Now())
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			out, err := KafkaPEM(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte("-----BEGIN PRIVATE KEY-----\n")) {
				t.Fatalf("keystore starts %.40q, want a PKCS#8 key", out)
			}
			ks := filepath.Join(dir, "keystore.pem")
			os.WriteFile(ks, out, 0o600)
			if a, b := openssl(t, "pkey", "-in", ks, "-pubout"), openssl(t, "x509", "-in", crt, "-pubkey", "-noout"); a != b {
				t.Error("the keystore's key is not the certificate's")
			}
			// openssl x509 reads the first certificate after the key.
			if a, b := openssl(t, "x509", "-in", ks, "-noout", "-fingerprint"), openssl(t, "x509", "-in", crt, "-noout", "-fingerprint"); a != b {
				t.Error("the keystore's certificate is not tls.crt's")
			}
		})
	}
}
