// Package kafkarefusal tells a Kafka client error that is a refusal of
// the client's credentials or TLS handshake from one of a server that is
// not up yet: a refusal will not pass by waiting. kinit's probes and the
// Control Center stand-in word it each for its reader; which errors are
// refusals, and of what, is decided here once.
package kafkarefusal

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Kind is what was refused.
type Kind int

// Kinds of refusal.
const (
	// AuthFailed: the SASL credentials were refused.
	AuthFailed Kind = iota + 1
	// MechanismNotEnabled: the listener does not enable the mechanism.
	MechanismNotEnabled
	// UnexpectedSASL: the listener does not expect SASL at all.
	UnexpectedSASL
	// UnknownCA: the server's certificate leads to no trusted CA.
	UnknownCA
	// WrongHost: the server's certificate does not name the host
	// dialled (Detail: that host).
	WrongHost
	// CertInvalid: the server's certificate failed another check
	// (Detail: the reason, without the package prefix).
	CertInvalid
	// HandshakeRefused: the server sent a TLS alert (Detail: the alert),
	// typically wanting a client certificate.
	HandshakeRefused
	// NotTLS: TLS was spoken to a listener that does not speak it.
	NotTLS
	// PlaintextToTLS: plaintext was spoken to a TLS listener.
	PlaintextToTLS
	// ClosedAtFirstRequest: the broker closed the connection at the
	// first request: TLS or plaintext it did not expect, or a request
	// before SASL.
	ClosedAtFirstRequest
)

// Refusal is one classified error.
type Refusal struct {
	Kind   Kind
	Detail string
}

// Classify reports whether err is a refusal, and of what.
func Classify(err error) (Refusal, bool) {
	if err == nil {
		return Refusal{}, false
	}
	var (
		kafkaErr  *kerr.Error
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		firstRead *kgo.ErrFirstReadEOF
		opErr     *net.OpError
	)
	switch {
	case errors.As(err, &kafkaErr) && kafkaErr == kerr.SaslAuthenticationFailed:
		return Refusal{Kind: AuthFailed}, true
	case errors.As(err, &kafkaErr) && kafkaErr == kerr.UnsupportedSaslMechanism:
		return Refusal{Kind: MechanismNotEnabled}, true
	case errors.As(err, &kafkaErr) && kafkaErr == kerr.IllegalSaslState:
		return Refusal{Kind: UnexpectedSASL}, true
	case errors.As(err, &unknownCA):
		return Refusal{Kind: UnknownCA}, true
	case errors.As(err, &hostname):
		return Refusal{Kind: WrongHost, Detail: hostname.Host}, true
	case errors.As(err, &invalid):
		return Refusal{Kind: CertInvalid, Detail: strings.TrimPrefix(invalid.Error(), "x509: ")}, true
	case errors.As(err, &verify):
		return Refusal{Kind: CertInvalid, Detail: strings.TrimPrefix(verify.Err.Error(), "x509: ")}, true
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		// crypto/tls reports the server's alert as a *net.OpError whose
		// Err is its unexported alert type.
		return Refusal{Kind: HandshakeRefused, Detail: strings.TrimPrefix(opErr.Err.Error(), "tls: ")}, true
	case errors.As(err, &record):
		return Refusal{Kind: NotTLS}, true
	case strings.Contains(err.Error(), "plaintext connection speaking to a tls endpoint"):
		// franz-go's guess (an untyped error) when a plaintext client
		// reads a TLS alert as a response size.
		return Refusal{Kind: PlaintextToTLS}, true
	case errors.As(err, &firstRead):
		return Refusal{Kind: ClosedAtFirstRequest}, true
	}
	return Refusal{}, false
}

// WantsClientCert reports whether a HandshakeRefused alert is one a
// server sends when it wants a client certificate (mutual TLS) that it
// did not get or does not trust.
func (r Refusal) WantsClientCert() bool {
	switch r.Detail {
	case "certificate required", "bad certificate", "unknown certificate authority":
		return r.Kind == HandshakeRefused
	}
	return false
}
