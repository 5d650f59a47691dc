// How a probe authenticates: the credentials a plan carries. Secrets are
// never values here, only the files that hold them, so that a plan can be
// printed, logged and compared without leaking one, and a password or key
// rotated on disk is used at the next attempt.

package plan

import (
	"fmt"
	"strings"
)

// Security is how a probe reaches a server that requires TLS, SASL or
// both. Nil (or empty) speaks plaintext.
type Security struct {
	TLS  *TLS  `json:"tls,omitempty"`
	SASL *SASL `json:"sasl,omitempty"`
}

// TLS is the client side of a TLS connection.
type TLS struct {
	// CAFile holds the PEM certificates the server's chain must lead to;
	// empty means the system's roots.
	CAFile string `json:"ca_file,omitempty"`
	// CertFile and KeyFile are the client's own certificate chain and key
	// (PEM), for servers that require one (mutual TLS); both or neither.
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// ServerName is the name the server's certificate must carry; empty
	// means the host of the address dialled.
	ServerName string `json:"server_name,omitempty"`
}

// SASL is a username and the file holding its password.
type SASL struct {
	Mechanism SASLMechanism `json:"mechanism"`
	Username  string        `json:"username"`
	// PasswordFile holds the password (one line; a trailing newline is
	// not part of it), read at each attempt.
	PasswordFile string `json:"password_file"`
}

// SASLMechanism is a SASL mechanism a probe can speak.
type SASLMechanism string

// SASL mechanisms.
const (
	SCRAMSHA512 SASLMechanism = "SCRAM-SHA-512"
	SCRAMSHA256 SASLMechanism = "SCRAM-SHA-256"
	SASLPlain   SASLMechanism = "PLAIN"
)

// SASLMechanisms are the mechanisms probes speak, in the order messages
// name them.
var SASLMechanisms = []SASLMechanism{SCRAMSHA512, SCRAMSHA256, SASLPlain}

// ParseSASLMechanism reads a mechanism as Kafka spells it
// (sasl.mechanism), in any case.
func ParseSASLMechanism(s string) (SASLMechanism, error) {
	names := make([]string, len(SASLMechanisms))
	for i, m := range SASLMechanisms {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
		names[i] = string(m)
	}
	return "", fmt.Errorf("unknown SASL mechanism %q (want %s)", s, strings.Join(names, ", "))
}

// validate checks the credentials of the probe at path.
func (s *Security) validate(at string, e *errs) {
	if s == nil {
		return
	}
	abs := func(key, path string) {
		if path != "" && !strings.HasPrefix(path, "/") {
			e.add(at+"."+key, "%q is not an absolute path", path)
		}
	}
	if t := s.TLS; t != nil {
		abs("tls.ca_file", t.CAFile)
		abs("tls.cert_file", t.CertFile)
		abs("tls.key_file", t.KeyFile)
		if (t.CertFile == "") != (t.KeyFile == "") {
			e.add(at+".tls", "cert_file and key_file go together")
		}
	}
	if a := s.SASL; a != nil {
		if _, err := ParseSASLMechanism(string(a.Mechanism)); err != nil {
			e.add(at+".sasl.mechanism", "%v", err)
		}
		if a.Username == "" {
			e.add(at+".sasl.username", "SASL needs a username")
		}
		if a.PasswordFile == "" {
			e.add(at+".sasl.password_file", "SASL needs a password file")
		}
		abs("sasl.password_file", a.PasswordFile)
	}
}

// Clone returns a copy of s that shares nothing with it.
func (s *Security) Clone() *Security {
	if s == nil {
		return nil
	}
	out := &Security{}
	if s.TLS != nil {
		t := *s.TLS
		out.TLS = &t
	}
	if s.SASL != nil {
		a := *s.SASL
		out.SASL = &a
	}
	return out
}
