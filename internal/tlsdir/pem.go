package tlsdir

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
)

// readFile reads a file of the directory, following symlinks: a Secret
// volume's files are links into its ..data directory.
func readFile(path string) ([]byte, error) {
	b, err := safefs.ReadRegular(path, maxFileSize)
	if err != nil {
		return nil, describeReadError(err)
	}
	return b, nil
}

// describeReadError drops the path an *os.PathError repeats: the Problem
// holding it names the file already.
func describeReadError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errMissing
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot read: %w", err)
}

var errMissing = errors.New("missing")

// parseCerts returns every CERTIFICATE block of data, in order. A file with
// no PEM at all, or with PEM but no certificate, is an error saying which.
func parseCerts(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var others []string
	for n := 1; ; {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			others = append(others, b.Type)
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: cannot parse: %w", n, err)
		}
		certs = append(certs, c)
		n++
	}
	switch {
	case len(certs) > 0:
		return certs, nil
	case len(others) > 0:
		return nil, fmt.Errorf("holds no certificate (PEM blocks: %s)", strings.Join(others, ", "))
	}
	return nil, errors.New("not PEM: no -----BEGIN CERTIFICATE----- block")
}

// parseKey returns the first private key of data in any of the forms
// cert-manager and openssl write: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA
// PRIVATE KEY") or SEC1 ("EC PRIVATE KEY", possibly after the "EC
// PARAMETERS" block `openssl ecparam -genkey` puts first).
func parseKey(data []byte) (crypto.Signer, error) {
	var others []string
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, errEncrypted
		}
		var k any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errEncrypted
		case "EC PARAMETERS":
			continue
		default:
			others = append(others, b.Type)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot parse the %s: %w", strings.ToLower(b.Type), err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
		return s, nil
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("holds no private key (PEM blocks: %s)", strings.Join(others, ", "))
	}
	return nil, errors.New("not PEM: no -----BEGIN PRIVATE KEY----- block")
}

var errEncrypted = errors.New("the private key is encrypted; kinit needs it unencrypted (protect it with the file's mode instead)")

// samePublicKey reports whether key is the private half of pub.
func samePublicKey(key crypto.Signer, pub crypto.PublicKey) bool {
	k, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(pub)
}

func encodePEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
