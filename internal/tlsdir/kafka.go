package tlsdir

import (
	"bytes"
	"encoding/pem"
)

// KafkaPEM returns the content of a keystore for Kafka's
// ssl.keystore.type=PEM: m's private key as unencrypted PKCS#8 ("BEGIN
// PRIVATE KEY", the only form Kafka reads; a PKCS#1 or SEC1 key, as
// cert-manager may write, is converted), then the certificate chain of
// m's tls.crt. The content holds the key: the caller writes it 0600.
func KafkaPEM(m Material) ([]byte, error) {
	var problems []error
	var out bytes.Buffer
	if data, err := readFile(m.KeyFile); err != nil {
		problems = append(problems, &Problem{File: m.KeyFile, Err: err})
	} else if key, err := parseKey(data); err != nil {
		problems = append(problems, &Problem{File: m.KeyFile, Err: err})
	} else if p, err := pkcs8PEM(key); err != nil {
		problems = append(problems, &Problem{File: m.KeyFile, Err: err})
	} else {
		out.Write(p)
	}
	if data, err := readFile(m.CertFile); err != nil {
		problems = append(problems, &Problem{File: m.CertFile, Err: err})
	} else if _, err := parseCerts(data); err != nil {
		problems = append(problems, &Problem{File: m.CertFile, Err: err})
	} else {
		// The blocks as they are, without headers or text between them,
		// which Kafka's PEM parser does not expect.
		for {
			var b *pem.Block
			if b, data = pem.Decode(data); b == nil {
				break
			}
			if b.Type == "CERTIFICATE" {
				out.Write(encodePEM(b.Type, b.Bytes))
			}
		}
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}
	return out.Bytes(), nil
}
