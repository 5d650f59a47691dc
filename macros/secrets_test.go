package macros

import (
	"strings"
	"testing"

	"github.com/kinit/kinit/roles"
)

// A rendered file that receives a secret is at most 0600; one without keeps
// its template mode.
func TestSecretFilesNarrowed(t *testing.T) {
	p := plan(t, roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s",
		"KAFKA_SSL_KEYSTORE_PASSWORD": "hunter22"}, goldenLimits)
	for _, f := range p.Files {
		switch {
		case strings.HasSuffix(f.Dst, "/server.properties"):
			if f.Mode.Perm()&0o077 != 0 {
				t.Errorf("%s holds a password but is %o", f.Dst, f.Mode.Perm())
			}
		case strings.HasSuffix(f.Dst, "/zookeeper.properties"):
			if f.Mode.Perm() != 0o644 {
				t.Errorf("%s holds no secret but is %o", f.Dst, f.Mode.Perm())
			}
		}
	}
}

// A file that assigns a secret-named key or system property a value anywhere
// on a line holds a secret; one that only mentions a password in a comment,
// names a password file, or leaves the value empty does not.
func TestHoldsSecretAnywhereOnALine(t *testing.T) {
	for _, c := range []struct {
		name, dst, text string
		secret          bool
	}{
		{"one-line JAAS", "/etc/kafka/client.conf",
			`KafkaClient { org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b"; };` + "\n", true},
		{"JAAS config in a client file", "/etc/kafka/client.cfg",
			`security.protocol=SASL_SSL sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="x";` + "\n", true},
		{"keystore password as a system property", "/etc/kafka/kafka.env",
			`KAFKA_OPTS="-Djavax.net.ssl.keyStorePassword=secret"` + "\n", true},
		{"system property unquoted among others", "/etc/kafka/kafka.env",
			"export KAFKA_OPTS=-Xmx1g -Djavax.net.ssl.trustStorePassword=changeit -Dx=y\n", true},
		{"mixed case credentials", "/etc/app/app.conf", "  aws.Credentials = 'k:s'\n", true},
		{"password in a comment", "/etc/kafka/kafka.env",
			"# KAFKA_OPTS=\"-Djavax.net.ssl.keyStorePassword=secret\"\nKAFKA_HEAP_OPTS=-Xmx1g\n", false},
		{"password in a JAAS comment", "/etc/kafka/client.conf",
			"// set password=\"x\" in the real file\n/* password=y */\nKafkaClient { org.example.Module required; };\n", false},
		{"password file path", "/etc/kafka/kafka.env", "KAFKA_OPTS=-Dssl.password.file=/run/secrets/pw\n", false},
		{"empty password", "/etc/kafka/client.conf", `KafkaClient { m required username="a" password=""; };` + "\n", false},
		{"the word password in a value", "/etc/kafka/app.conf", "banner=forgot your password? ask ops\n", false},
		{"PWD is not a password", "/etc/kafka/kafka.env", "PWD=/opt/kafka\n", false},
	} {
		f := &File{Dst: c.dst, Content: []byte(c.text)}
		if got := holdsSecret(f, &roles.Template{}, &Service{}); got != c.secret {
			t.Errorf("%s: holdsSecret = %v, want %v", c.name, got, c.secret)
		}
	}
}
