// How the stand-in connects to a secured Kafka cluster, read from the
// properties Confluent Control Center reads for its Kafka Streams client
// (confluent.controlcenter.streams.security.protocol, .sasl.*, .ssl.*).
// Files named there are read once at start, so that a missing CA or key
// is a config error naming its property; the password never appears in
// an error, a log line or the page.

package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// StreamsPrefix is the prefix of Control Center's Kafka client settings.
const StreamsPrefix = "confluent.controlcenter.streams."

// Protocol is a Kafka security.protocol.
type Protocol string

// The protocols the stand-in speaks; Kafka's default is PLAINTEXT.
const (
	Plaintext     Protocol = "PLAINTEXT"
	SSL           Protocol = "SSL"
	SASLPlaintext Protocol = "SASL_PLAINTEXT"
	SASLSSL       Protocol = "SASL_SSL"
)

// TLS says whether the protocol runs over TLS.
func (p Protocol) TLS() bool { return p == SSL || p == SASLSSL }

// SASL says whether the protocol authenticates with SASL.
func (p Protocol) SASL() bool { return p == SASLPlaintext || p == SASLSSL }

var protocols = map[Protocol]bool{Plaintext: true, SSL: true, SASLPlaintext: true, SASLSSL: true}

// Mechanism is a Kafka sasl.mechanism.
type Mechanism string

// The SASL mechanisms the stand-in speaks.
const (
	ScramSHA512 Mechanism = "SCRAM-SHA-512"
	ScramSHA256 Mechanism = "SCRAM-SHA-256"
	Plain       Mechanism = "PLAIN"
)

// loginModules is the JAAS login module Kafka's client pairs with each
// mechanism.
var loginModules = map[Mechanism]string{
	ScramSHA512: "org.apache.kafka.common.security.scram.ScramLoginModule",
	ScramSHA256: "org.apache.kafka.common.security.scram.ScramLoginModule",
	Plain:       "org.apache.kafka.common.security.plain.PlainLoginModule",
}

// Secret is a value that must not be printed: fmt shows it as [hidden],
// also inside a %+v of the struct holding it.
type Secret string

func (Secret) String() string   { return "[hidden]" }
func (Secret) GoString() string { return "[hidden]" }

// Security is how the stand-in talks to the brokers.
type Security struct {
	Protocol  Protocol
	Mechanism Mechanism // when Protocol.SASL()
	Username  string
	Password  Secret
	// CAFile is the PEM truststore; empty means the system's roots.
	CAFile string
	// KeystoreFile is one PEM file holding the client's key and
	// certificate chain, for mutual TLS; empty means none.
	KeystoreFile string

	tls *tls.Config // made from the files at start when Protocol.TLS()
}

// String describes the settings for the log and the page, without the
// password.
func (s Security) String() string {
	var parts []string
	if s.Protocol.SASL() {
		parts = append(parts, fmt.Sprintf("%s as %q", s.Mechanism, s.Username))
	}
	if s.Protocol.TLS() {
		ca := "the system's CAs"
		if s.CAFile != "" {
			ca = "CA " + s.CAFile
		}
		parts = append(parts, "trusting "+ca)
		if s.KeystoreFile != "" {
			parts = append(parts, "client certificate "+s.KeystoreFile)
		}
	}
	if len(parts) == 0 {
		return string(s.Protocol)
	}
	return string(s.Protocol) + " (" + strings.Join(parts, ", ") + ")"
}

// SecurityFrom reads the streams client's security settings, every
// problem found, each naming its property.
func SecurityFrom(p *Properties) (Security, []error) {
	key := func(k string) string { return StreamsPrefix + k }
	var s Security
	var errs []error
	s.Protocol = Protocol(strings.ToUpper(p.String(key("security.protocol"), string(Plaintext))))
	if !protocols[s.Protocol] {
		errs = append(errs, p.Errorf(key("security.protocol"), "want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got %q", s.Protocol))
	}
	if s.Protocol.SASL() {
		errs = append(errs, s.readSASL(p, key)...)
	}
	if s.Protocol.TLS() {
		errs = append(errs, s.readTLS(p, key)...)
	}
	return s, errs
}

func (s *Security) readSASL(p *Properties, key func(string) string) []error {
	var errs []error
	// GSSAPI is Kafka's default mechanism.
	s.Mechanism = Mechanism(p.String(key("sasl.mechanism"), "GSSAPI"))
	module, ok := loginModules[s.Mechanism]
	if !ok {
		errs = append(errs, p.Errorf(key("sasl.mechanism"), "%q is not supported by the stand-in: want SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN", s.Mechanism))
	}
	jaasKey := key("sasl.jaas.config")
	line := p.String(jaasKey, "")
	if line == "" {
		return append(errs, p.Errorf(jaasKey, "required with security.protocol %s", s.Protocol))
	}
	j, err := ParseJAAS(line)
	if err != nil {
		return append(errs, p.Errorf(jaasKey, "%v", err))
	}
	if ok && j.Module != module {
		errs = append(errs, p.Errorf(jaasKey, "login module %s does not match sasl.mechanism %s: want %s", j.Module, s.Mechanism, module))
	}
	s.Username = j.Options["username"]
	s.Password = Secret(j.Options["password"])
	if s.Username == "" || s.Password == "" {
		errs = append(errs, p.Errorf(jaasKey, "want non-empty username and password options"))
	}
	return errs
}

func (s *Security) readTLS(p *Properties, key func(string) string) []error {
	var errs []error
	s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if loc := p.String(key("ssl.truststore.location"), ""); loc != "" {
		if err := pemType(p, key("ssl.truststore.type"), "the CA certificates"); err != nil {
			errs = append(errs, err)
		} else if pool, err := readCAs(loc); err != nil {
			errs = append(errs, p.Errorf(key("ssl.truststore.location"), "%v", err))
		} else {
			s.CAFile, s.tls.RootCAs = loc, pool
		}
	}
	if loc := p.String(key("ssl.keystore.location"), ""); loc != "" {
		if err := pemType(p, key("ssl.keystore.type"), "the key, then the certificate chain"); err != nil {
			errs = append(errs, err)
		} else if p.String(key("ssl.key.password"), "") != "" {
			errs = append(errs, p.Errorf(key("ssl.key.password"), "encrypted keys are not supported by the stand-in: want an unencrypted PKCS#8 key"))
		} else if cert, err := readKeyPair(loc); err != nil {
			errs = append(errs, p.Errorf(key("ssl.keystore.location"), "%v", err))
		} else {
			s.KeystoreFile, s.tls.Certificates = loc, []tls.Certificate{cert}
		}
	}
	return errs
}

// pemType checks that a store's type is PEM; unset means JKS, Kafka's
// default, which the stand-in cannot read.
func pemType(p *Properties, key, holds string) error {
	t := p.String(key, "")
	switch {
	case strings.EqualFold(t, "PEM"):
		return nil
	case t == "":
		return p.Errorf(key, "unset means JKS, Kafka's default, which the stand-in cannot read: set PEM (a file of %s)", holds)
	}
	return p.Errorf(key, "%s is not supported by the stand-in: want PEM (a file of %s)", t, holds)
}

func readCAs(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// readKeyPair reads Kafka's PEM keystore: one file, the key and the
// certificate chain.
func readKeyPair(path string) (tls.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("cannot read keystore: %w", err)
	}
	cert, err := tls.X509KeyPair(data, data)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s does not hold a PEM key and its certificate: %w", path, err)
	}
	return cert, nil
}

// TLSConfig is the client TLS configuration (a copy), nil when the
// protocol is not over TLS.
func (s Security) TLSConfig() *tls.Config {
	if s.tls == nil {
		return nil
	}
	return s.tls.Clone()
}

// KafkaOpts are the franz-go options that speak s.
func (s Security) KafkaOpts() []kgo.Opt {
	var opts []kgo.Opt
	if c := s.TLSConfig(); c != nil {
		opts = append(opts, kgo.DialTLSConfig(c))
	}
	if m := s.saslMechanism(); m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts
}

func (s Security) saslMechanism() sasl.Mechanism {
	if !s.Protocol.SASL() {
		return nil
	}
	switch s.Mechanism {
	case ScramSHA512:
		return scram.Auth{User: s.Username, Pass: string(s.Password)}.AsSha512Mechanism()
	case ScramSHA256:
		return scram.Auth{User: s.Username, Pass: string(s.Password)}.AsSha256Mechanism()
	case Plain:
		return plain.Auth{User: s.Username, Pass: string(s.Password)}.AsMechanism()
	}
	return nil
}
