// Telling a broker that refuses the stand-in's credentials or TLS
// handshake from one that is not up yet: the first will not pass by
// waiting, and the message must say what to fix.

package main

import (
	"fmt"

	"github.com/kinit/kinit/internal/kafkarefusal"
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
	r, ok := kafkarefusal.Classify(err)
	if !ok {
		return err
	}
	reason := ""
	switch r.Kind {
	case kafkarefusal.AuthFailed:
		reason = fmt.Sprintf("authentication failed (%s as user %q): check %ssasl.jaas.config", sec.Mechanism, sec.Username, StreamsPrefix)
	case kafkarefusal.MechanismNotEnabled:
		reason = fmt.Sprintf("authentication failed: the listener does not enable %s", sec.Mechanism)
	case kafkarefusal.UnexpectedSASL:
		reason = "authentication failed: the listener does not expect SASL (is security.protocol right?)"
	case kafkarefusal.UnknownCA:
		reason = "TLS: the broker's certificate is signed by a CA the truststore does not hold"
	case kafkarefusal.WrongHost:
		reason = "TLS: the broker's certificate is not valid for " + r.Detail
	case kafkarefusal.CertInvalid:
		reason = "TLS: the broker's certificate is not valid"
	case kafkarefusal.HandshakeRefused:
		reason = "TLS: the broker refused the handshake (does it want a client certificate, ssl.keystore.*?)"
	case kafkarefusal.NotTLS:
		reason = "TLS: the broker does not speak TLS (is security.protocol right?)"
	case kafkarefusal.PlaintextToTLS:
		reason = "the broker speaks TLS, security.protocol says " + string(sec.Protocol)
	default:
		// A connection closed at the first request can be a broker
		// still starting: the stand-in waits on.
		return err
	}
	return &RefusedError{Reason: reason, Err: err}
}
