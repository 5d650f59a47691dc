package tlsdir

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kinit/kinit/internal/safefs"
)

// Issue gives the node its certificate from the development CA: when dir
// holds ca.crt and ca.key and no tls.crt, it writes tls.key (0600, PKCS#8,
// ECDSA P-256) and tls.crt (the leaf, then the CA), valid a year (never
// past the CA), for server and client authentication, naming id.Hosts
// plus localhost and 127.0.0.1. It reports whether it issued one.
//
// A tls.crt already there is kept, whoever made it: a restart must not
// change the node's certificate. A directory without ca.crt or ca.key is
// left as it is too; Check says what is missing.
func Issue(dir string, id Identity, now time.Time) (issued bool, err error) {
	caPath, caKeyPath := filepath.Join(dir, CAFile), filepath.Join(dir, CAKeyFile)
	if exists(filepath.Join(dir, CertFile)) || !exists(caPath) || !exists(caKeyPath) {
		return false, nil
	}
	ca, caKey, err := loadCA(caPath, caKeyPath, now)
	if err != nil {
		return false, err
	}
	if err := issueLeaf(ca, caKey, dir, id, now); err != nil {
		return false, err
	}
	return true, nil
}

// IssueTo issues a node's certificate from the CA in caDir into a TLS dir
// of its own, out: tls.key, tls.crt and a copy of ca.crt, never ca.key,
// as a production node mounts it (a Secret per node). A tls.crt already
// in out is an error: it is never replaced.
func IssueTo(caDir, out string, id Identity, now time.Time) error {
	if exists(filepath.Join(out, CertFile)) {
		return &Problem{File: filepath.Join(out, CertFile), Err: errors.New("already exists: remove it to issue a new one")}
	}
	caPath := filepath.Join(caDir, CAFile)
	ca, caKey, err := loadCA(caPath, filepath.Join(caDir, CAKeyFile), now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return &Problem{File: out, Err: err}
	}
	if _, err := safefs.WriteFile(filepath.Join(out, CAFile), encodePEM("CERTIFICATE", ca.Raw), 0o644, -1, -1); err != nil {
		return &Problem{File: filepath.Join(out, CAFile), Err: fmt.Errorf("cannot write: %w", err)}
	}
	return issueLeaf(ca, caKey, out, id, now)
}

// issueLeaf writes tls.key and tls.crt into dir, signed by ca.
func issueLeaf(ca *x509.Certificate, caKey crypto.Signer, dir string, id Identity, now time.Time) error {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	dns, ips, err := sans(id.Hosts)
	if err != nil {
		return err
	}
	cn := id.CommonName
	if cn == "" {
		cn = dns[0] // localhost at worst
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("cannot generate the node key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return err
	}
	notAfter := now.Add(certLifetime)
	if notAfter.After(ca.NotAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		// One certificate serves the node's listeners and authenticates
		// it to the controllers' mutual-TLS listener.
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:    dns,
		IPAddresses: ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return fmt.Errorf("cannot sign the node certificate: %w", err)
	}
	keyPEM, err := pkcs8PEM(key)
	if err != nil {
		return err
	}
	chain := append(encodePEM("CERTIFICATE", der), encodePEM("CERTIFICATE", ca.Raw)...)
	// The key first, the certificate last: tls.crt is what says "issued",
	// so a crash in between leaves a stray tls.key the next start
	// replaces, never a certificate without its key.
	if _, err := safefs.WriteFile(keyPath, keyPEM, 0o600, -1, -1); err != nil {
		return &Problem{File: keyPath, Err: fmt.Errorf("cannot write: %w", err)}
	}
	if _, err := safefs.WriteFile(certPath, chain, 0o644, -1, -1); err != nil {
		return &Problem{File: certPath, Err: fmt.Errorf("cannot write: %w", err)}
	}
	return nil
}

// loadCA reads the CA's certificate and key and checks that they belong
// together and that the CA can still sign.
func loadCA(caPath, caKeyPath string, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	var problems []error
	var ca *x509.Certificate
	if data, err := readFile(caPath); err != nil {
		problems = append(problems, &Problem{File: caPath, Err: err})
	} else if certs, err := parseCerts(data); err != nil {
		problems = append(problems, &Problem{File: caPath, Err: err})
	} else {
		ca = certs[0]
		switch {
		case !ca.IsCA:
			problems = append(problems, &Problem{File: caPath, Err: errors.New("is not a CA certificate (basic constraints CA:FALSE)")})
		case now.After(ca.NotAfter):
			problems = append(problems, &Problem{File: caPath, Err: fmt.Errorf("expired at %s", stamp(ca.NotAfter))})
		}
	}
	var key crypto.Signer
	if data, err := readFile(caKeyPath); err != nil {
		problems = append(problems, &Problem{File: caKeyPath, Err: err})
	} else if k, err := parseKey(data); err != nil {
		problems = append(problems, &Problem{File: caKeyPath, Err: err})
	} else {
		key = k
	}
	if ca != nil && key != nil && !samePublicKey(key, ca.PublicKey) {
		problems = append(problems, &Problem{File: caKeyPath, Err: fmt.Errorf("does not match the certificate in %s", caPath)})
	}
	if len(problems) > 0 {
		return nil, nil, joinProblems(problems)
	}
	return ca, key, nil
}

// sans splits hosts into DNS names and IP addresses, localhost and
// 127.0.0.1 always among them (probes and co-located services connect
// there), each once.
func sans(hosts []string) ([]string, []net.IP, error) {
	var dns []string
	var ips []net.IP
	seen := map[string]bool{}
	var bad []string
	for _, h := range append(append([]string(nil), hosts...), "localhost", "127.0.0.1") {
		h = strings.TrimSpace(h)
		if h == "" || seen[strings.ToLower(h)] {
			continue
		}
		seen[strings.ToLower(h)] = true
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if !validDNSName(h) {
			bad = append(bad, fmt.Sprintf("%q", h))
			continue
		}
		dns = append(dns, h)
	}
	if len(bad) > 0 {
		return nil, nil, fmt.Errorf("cannot issue a certificate for %s: not a DNS name or IP address", strings.Join(bad, ", "))
	}
	return dns, ips, nil
}

// validDNSName: labels of letters, digits and hyphens, a leading "*."
// wildcard allowed; at most 253 characters.
func validDNSName(h string) bool {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "*."), ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// exists: anything is at path, a dangling link included (its reader then
// says what is wrong with it).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
