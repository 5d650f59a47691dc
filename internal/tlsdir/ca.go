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
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/kinit/kinit/internal/safefs"
)

// NewCA writes a self-signed development CA into dir: ca.crt (0644) and
// ca.key (0600, PKCS#8), an ECDSA P-256 key, valid ten years from now. An
// existing ca.key is never replaced: every certificate it issued would
// stop being trusted.
func NewCA(dir, commonName string, now time.Time) error {
	keyPath, certPath := filepath.Join(dir, CAKeyFile), filepath.Join(dir, CAFile)
	if _, err := os.Lstat(keyPath); err == nil {
		return &Problem{File: keyPath, Err: errors.New("exists already; remove it first to make a new CA (every certificate it issued will stop being trusted)")}
	} else if !errors.Is(err, os.ErrNotExist) {
		return &Problem{File: keyPath, Err: err}
	}
	if commonName == "" {
		return errors.New("the CA needs a common name")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("cannot generate the CA key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		// It signs node certificates only, never another CA.
		MaxPathLen:     0,
		MaxPathLenZero: true,
		KeyUsage:       x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return fmt.Errorf("cannot sign the CA certificate: %w", err)
	}
	keyPEM, err := pkcs8PEM(key)
	if err != nil {
		return err
	}
	// The certificate first, the key last: a crash in between leaves a
	// ca.crt without its key, which a second run replaces, rather than a
	// ca.key it would refuse to touch.
	if _, err := safefs.WriteFile(certPath, encodePEM("CERTIFICATE", der), 0o644, -1, -1); err != nil {
		return &Problem{File: certPath, Err: fmt.Errorf("cannot write: %w", err)}
	}
	if _, err := safefs.WriteFile(keyPath, keyPEM, 0o600, -1, -1); err != nil {
		return &Problem{File: keyPath, Err: fmt.Errorf("cannot write: %w", err)}
	}
	return nil
}

// newSerial is a random 128-bit serial number (RFC 5280 allows 20 octets;
// randomness keeps two CAs made the same second apart).
func newSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("cannot make a serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil // never zero
}

func pkcs8PEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the private key as PKCS#8: %w", err)
	}
	return encodePEM("PRIVATE KEY", der), nil
}
