// Telling a broker that refuses the stand-in's credentials or TLS
// handshake from one that is not up yet: the first will not pass by
// waiting, and the message must say what to fix.

package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// RefusedError is a refusal of the stand-in's security settings.
type RefusedError struct {
	Reason string // what to fix, in words
	Err    error
}

func (e *RefusedError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// refused wraps err in a *RefusedError when it is a refusal of sec's
// credentials or TLS, else returns it as is. No reason holds the
// password; franz-go's and the broker's messages do not either.
func refused(err error, sec Security) error {
	var (
		kafkaErr  *kerr.Error
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		opErr     *net.OpError
	)
	reason := ""
	switch {
	case errors.As(err, &kafkaErr) && kafkaErr == kerr.SaslAuthenticationFailed:
		reason = fmt.Sprintf("authentication failed (%s as user %q): check %ssasl.jaas.config", sec.Mechanism, sec.Username, StreamsPrefix)
	case errors.As(err, &kafkaErr) && kafkaErr == kerr.UnsupportedSaslMechanism:
		reason = fmt.Sprintf("authentication failed: the listener does not enable %s", sec.Mechanism)
	case errors.As(err, &kafkaErr) && kafkaErr == kerr.IllegalSaslState:
		reason = "authentication failed: the listener does not expect SASL (is security.protocol right?)"
	case errors.As(err, &unknownCA):
		reason = "TLS: the broker's certificate is signed by a CA the truststore does not hold"
	case errors.As(err, &hostname):
		reason = "TLS: the broker's certificate is not valid for " + hostname.Host
	case errors.As(err, &invalid), errors.As(err, &verify):
		reason = "TLS: the broker's certificate is not valid"
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		// crypto/tls reports the server's alert this way.
		reason = "TLS: the broker refused the handshake (does it want a client certificate, ssl.keystore.*?)"
	case errors.As(err, &record):
		reason = "TLS: the broker does not speak TLS (is security.protocol right?)"
	case strings.Contains(err.Error(), "plaintext connection speaking to a tls endpoint"):
		// franz-go's guess (an untyped error) when plaintext meets TLS.
		reason = "the broker speaks TLS, security.protocol says " + string(sec.Protocol)
	default:
		return err
	}
	return &RefusedError{Reason: reason, Err: err}
}
