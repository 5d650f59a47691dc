// A secured node's Kafka clients (the schema registry and the Control
// Center stand-in): the properties that point them at the SASL_SSL
// listener with the admin user's SCRAM credentials and the node's CA, and
// the registry's API served over TLS from the same PEM keystore.

package macros

import (
	"fmt"
	"strings"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// clientOverrides are the properties a secured client service gets on top
// of its template (the operator's overrides still win).
func (s *secured) clientOverrides(svc *roles.Service, keystore string) []Override {
	var out []Override
	add := func(key, value string) {
		out = append(out, Override{Var: roles.EnvSecurity, Key: key, Value: value, Known: true, Secret: IsSecretKey(key)})
	}
	jaas := fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`, s.AdminUser, s.password)
	switch svc.Kind {
	case roles.KindControlCenter:
		// Control Center's Kafka client settings sit under "streams.".
		p := svc.PropertyPrefix + "streams."
		add(p+"security.protocol", "SASL_SSL")
		add(p+"sasl.mechanism", string(scramMechanism))
		add(p+"sasl.jaas.config", jaas)
		add(p+"ssl.truststore.type", "PEM")
		add(p+"ssl.truststore.location", s.caFile())
	case roles.KindSchemaRegistry:
		// Apicurio 3 hands every apicurio.kafka.common.* property, prefix
		// stripped, to each of its KafkaSQL clients (producer, consumer,
		// admin). Its apicurio.kafkasql.security.* keys cannot say this:
		// their SASL is OAuth only (sasl.enabled forces Strimzi's OAuth
		// login handler), and their trust store is set only together with
		// a password, which Kafka refuses for a PEM trust store.
		p := "apicurio.kafka.common."
		add(p+"security.protocol", "SASL_SSL")
		add(p+"sasl.mechanism", string(scramMechanism))
		add(p+"sasl.jaas.config", jaas)
		add(p+"ssl.truststore.type", "PEM")
		add(p+"ssl.truststore.location", s.caFile())
		// The API and the management interface (/health/ready) serve TLS
		// from the PEM keystore: Vert.x picks the key and the chain out of
		// the one file. Quarkus serves https on ssl-port, not port: the
		// template's port moves there, and with insecure requests disabled
		// nothing answers plain http. The management interface has one
		// port, https once it has a certificate.
		add("quarkus.http.ssl-port", "${quarkus.http.port}")
		add("quarkus.http.insecure-requests", "disabled")
		for _, iface := range []string{"quarkus.http.ssl", "quarkus.management.ssl"} {
			add(iface+".certificate.files", keystore)
			add(iface+".certificate.key-files", keystore)
		}
	}
	return out
}

// httpProbe makes the probe of a secured client that serves TLS ask over
// https with the node's CA, verifying serverName (the probe dials
// loopback, which a mounted certificate need not name).
func (s *secured) httpProbe(svc *roles.Service, p *kplan.Probe, serverName string) {
	if svc.Kind != roles.KindSchemaRegistry {
		return
	}
	for i, u := range p.URLs {
		p.URLs[i] = httpsURL(u)
	}
	p.Security = &kplan.Security{TLS: &kplan.TLS{CAFile: s.caFile(), ServerName: serverName}}
}

// httpsURL is u over https, u unchanged when it names another scheme.
func httpsURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "https://" + rest
	}
	return u
}
