// How a probe authenticates (plan.Security) and how it tells an
// authentication or TLS failure from a server that is not up yet. Every
// file (CA, client certificate and key, password) is read again at each
// attempt: a Secret rotated on disk is used at the next check, and a
// probe holds no credential between attempts.

package probe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kinit/kinit/internal/kafkarefusal"
	"github.com/kinit/kinit/plan"
)

// kafkaOpts are the client options that make a Kafka client speak sec
// (nil: plaintext). A file that cannot be read is an *Error on target
// naming the file: the probe could never pass, and retrying the network
// would hide why.
func kafkaOpts(target string, sec *plan.Security) ([]kgo.Opt, error) {
	if sec == nil {
		return nil, nil
	}
	var opts []kgo.Opt
	if sec.TLS != nil {
		cfg, err := tlsConfig(target, sec.TLS)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	if sec.SASL != nil {
		m, err := saslMechanism(target, sec.SASL)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// tlsConfig reads the CA and the client's certificate and key of t.
func tlsConfig(target string, t *plan.TLS) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fail(target, "cannot read CA file "+t.CAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fail(target, "has no PEM certificate in CA file "+t.CAFile, nil)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fail(target, fmt.Sprintf("cannot load client certificate %s with key %s", t.CertFile, t.KeyFile), err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// saslMechanism reads the password of a now, once per attempt, so that
// an unreadable file is reported before any dial.
func saslMechanism(target string, a *plan.SASL) (sasl.Mechanism, error) {
	pass, err := readPassword(a.PasswordFile)
	if err != nil {
		return nil, fail(target, "cannot read password file "+a.PasswordFile, err)
	}
	mech, err := plan.ParseSASLMechanism(string(a.Mechanism))
	if err != nil {
		return nil, fail(target, "cannot speak SASL", err)
	}
	switch mech {
	case plan.SCRAMSHA512:
		return scram.Auth{User: a.Username, Pass: pass}.AsSha512Mechanism(), nil
	case plan.SCRAMSHA256:
		return scram.Auth{User: a.Username, Pass: pass}.AsSha256Mechanism(), nil
	case plan.SASLPlain:
		return plain.Auth{User: a.Username, Pass: pass}.AsMechanism(), nil
	}
	panic("probe: SASL mechanism " + string(mech) + " has no client")
}

// readPassword is the file's first line: a password written with echo or
// mounted from a Secret created from a file often ends in a newline that
// is not part of it. The error never holds the content.
func readPassword(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	pass := strings.TrimRight(string(data), "\r\n")
	if pass == "" {
		return "", errors.New("the file is empty")
	}
	return pass, nil
}

// httpClientFor is the client a GET under sec uses: the shared one for
// plaintext, else one built for this attempt with the CA and client
// certificate read now. SASL has no meaning for HTTP and is ignored.
func httpClientFor(target string, sec *plan.Security) (*http.Client, error) {
	if sec == nil || sec.TLS == nil {
		return httpClient, nil
	}
	cfg, err := tlsConfig(target, sec.TLS)
	if err != nil {
		return nil, err
	}
	return &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true, Proxy: nil, TLSClientConfig: cfg},
		CheckRedirect: httpClient.CheckRedirect,
	}, nil
}

// securityFailure names err when it is a refusal of the credentials or
// of the TLS handshake rather than a server not up yet (nil otherwise):
// such a probe will not pass by waiting, and its status line must say
// what to fix.
func securityFailure(target string, err error) error {
	r, ok := kafkarefusal.Classify(err)
	if !ok {
		return nil
	}
	return fail(target, refusalReason(r), err)
}

// refusalReason words a refusal for `kinit status`: what the probe was
// refused, in the terms of its plan.
func refusalReason(r kafkarefusal.Refusal) string {
	switch r.Kind {
	case kafkarefusal.AuthFailed:
		return "authentication failed"
	case kafkarefusal.MechanismNotEnabled:
		return "authentication failed: the listener does not enable the probe's SASL mechanism"
	case kafkarefusal.UnexpectedSASL:
		return "authentication failed: the listener did not expect SASL"
	case kafkarefusal.UnknownCA:
		return "TLS: certificate signed by unknown authority (not the CA the probe trusts)"
	case kafkarefusal.WrongHost:
		return "TLS: certificate is not valid for " + r.Detail
	case kafkarefusal.CertInvalid:
		return "TLS: " + r.Detail
	case kafkarefusal.HandshakeRefused:
		if r.WantsClientCert() {
			return "TLS: the server refused the handshake (" + r.Detail + ": the listener wants a client certificate it trusts)"
		}
		return "TLS: the server refused the handshake (" + r.Detail + ")"
	case kafkarefusal.NotTLS:
		return "TLS: the server does not speak TLS"
	case kafkarefusal.PlaintextToTLS:
		return "TLS: the listener speaks TLS, the probe plaintext"
	}
	// ClosedAtFirstRequest: TLS bytes the broker does not expect,
	// plaintext where it waits for a handshake, or a request before SASL.
	return "closed the connection at the first request (does its listener expect TLS or SASL the probe does not speak?)"
}

// KafkaClientOpts are the franz-go options that make a client speak sec,
// as the probes do: for kinit's own requests beside them (applying the
// client users).
func KafkaClientOpts(target string, sec *plan.Security) ([]kgo.Opt, error) {
	return kafkaOpts(target, sec)
}
