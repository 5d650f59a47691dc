package kafkarefusal

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Each refusal a Kafka client meets, wrapped as callers see it, is told
// apart; a server not up yet is no refusal.
func TestClassify(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("dial 127.0.0.1:9092: %w", err) }
	for _, c := range []struct {
		name   string
		err    error
		want   Refusal
		client bool // WantsClientCert
	}{
		{"wrong password", wrap(kerr.SaslAuthenticationFailed), Refusal{Kind: AuthFailed}, false},
		{"mechanism", wrap(kerr.UnsupportedSaslMechanism), Refusal{Kind: MechanismNotEnabled}, false},
		{"SASL to an SSL listener", wrap(kerr.IllegalSaslState), Refusal{Kind: UnexpectedSASL}, false},
		{"unknown CA", wrap(x509.UnknownAuthorityError{}), Refusal{Kind: UnknownCA}, false},
		{"wrong host", wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "b-9.example"}), Refusal{Kind: WrongHost, Detail: "b-9.example"}, false},
		{"expired", wrap(x509.CertificateInvalidError{Cert: &x509.Certificate{}, Reason: x509.Expired, Detail: "at noon"}),
			Refusal{Kind: CertInvalid, Detail: "certificate has expired or is not yet valid: at noon"}, false},
		{"client certificate wanted", wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}),
			Refusal{Kind: HandshakeRefused, Detail: "certificate required"}, true},
		{"other alert", wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: protocol version not supported")}),
			Refusal{Kind: HandshakeRefused, Detail: "protocol version not supported"}, false},
		{"TLS to plaintext", wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), Refusal{Kind: NotTLS}, false},
		{"plaintext to TLS", errors.New("invalid large response size 352518912 > limit 104857600; the first three bytes received appear to be a tls alert record for TLS v1.2; is this a plaintext connection speaking to a tls endpoint?"),
			Refusal{Kind: PlaintextToTLS}, false},
		{"closed at the first request", wrap(&kgo.ErrFirstReadEOF{}), Refusal{Kind: ClosedAtFirstRequest}, false},
	} {
		got, ok := Classify(c.err)
		if !ok || got != c.want || got.WantsClientCert() != c.client {
			t.Errorf("%s: Classify = %+v, %v (wants client cert %v); want %+v, true (%v)", c.name, got, ok, got.WantsClientCert(), c.want, c.client)
		}
	}
	for _, err := range []error{nil, wrap(syscall.ECONNREFUSED), wrap(kerr.LeaderNotAvailable), errors.New("i/o timeout")} {
		if r, ok := Classify(err); ok {
			t.Errorf("%v: a refusal %+v; want none (the server may come up)", err, r)
		}
	}
}
