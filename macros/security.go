// A secured node (KINIT_SECURITY=sasl_ssl): the properties kinit adds to
// each KRaft service, the PEM keystore it renders for it, the SCRAM user
// the storage format creates, and the credentials its probes present.

package macros

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
	"github.com/kinit/kinit/internal/scramusers"
	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// scramMechanism is the one SASL mechanism of a secured cluster.
const scramMechanism = kplan.SCRAMSHA512

// KeystoreName is the PEM keystore kinit renders beside a secured
// service's properties: the node's key (PKCS#8, as Kafka's PEM keystore
// needs it) and certificate chain. A rendered File of this Template is a
// keystore (a reload swaps it without a restart where the service can).
const KeystoreName = "keystore.pem"

// secured is what a secured node's services and probes are given.
type secured struct {
	roles.Security
	password string // the admin user's, read once per rendering
	keystore []byte // KafkaPEM of the node's material
}

// Material file names in the TLS dir.
func (s *secured) caFile() string   { return filepath.Join(s.TLSDir, "ca.crt") }
func (s *secured) certFile() string { return filepath.Join(s.TLSDir, "tls.crt") }
func (s *secured) keyFile() string  { return filepath.Join(s.TLSDir, "tls.key") }

// readSecurity reads the admin password and the node's TLS material, every
// problem naming its variable or file. Nil on a plaintext node.
func (b *builder) readSecurity() *secured {
	n := b.node
	if !n.Security.Secure() {
		return nil
	}
	s := &secured{Security: n.Security}
	data, err := safefs.ReadRegular(s.AdminPasswordFile, roles.MaxSecretFileSize)
	if err != nil {
		b.errs.Add("", 0, "%s=%s: cannot read the password: %v", roles.EnvAdminPasswordFile, s.AdminPasswordFile, unwrap(err))
	} else {
		s.password = strings.TrimRight(string(data), "\r\n")
		switch {
		case s.password == "":
			b.errs.Add("", 0, "%s=%s: the password file is empty", roles.EnvAdminPasswordFile, s.AdminPasswordFile)
		case strings.ContainsAny(s.password, "\n\",]\\$"):
			// It goes into a JAAS line and kafka-storage's --add-scram
			// list, neither of which can quote these, and into the
			// registry's Quarkus config, which expands ${…}.
			b.errs.Add("", 0, "%s=%s: the password may not hold a newline, '\"', ',', ']', '\\' or '$'", roles.EnvAdminPasswordFile, s.AdminPasswordFile)
		}
		b.plan.masker.Add(s.password)
	}
	b.material(s)
	b.readUsers(s)
	b.readTenants(s)
	return s
}

// readUsers checks the client users at start, every problem naming its
// file, and masks their passwords in what check and render show; kinit
// applies them once the broker is ready (node/users.go).
func (b *builder) readUsers(s *secured) {
	if s.UsersDir == "" {
		return
	}
	users, err := scramusers.ReadDir(s.UsersDir, s.AdminUser)
	for _, p := range problems(err) {
		b.errs.Add("", 0, "%s=%s: %v", roles.EnvUsersDir, s.UsersDir, unwrap(p))
	}
	for _, pw := range users {
		b.plan.masker.Add(pw)
	}
}

// overrides are the properties a secured Kafka service gets on
// top of its template, as env overrides are applied: the operator's
// KAFKA_* variables still win over each of them.
func (s *secured) overrides(n *roles.Node, svc *roles.Service, keystore string) []Override {
	add := func(out []Override, key, value string) []Override {
		return append(out, Override{Var: roles.EnvSecurity, Key: key, Value: value, Known: true, Secret: IsSecretKey(key)})
	}
	var out []Override
	// Both listeners serve TLS from the node's material; the controller
	// listener requires a client certificate (mutual TLS), which brokers
	// and controllers present from the same keystore.
	out = add(out, "ssl.keystore.type", "PEM")
	out = add(out, "ssl.keystore.location", keystore)
	out = add(out, "ssl.truststore.type", "PEM")
	out = add(out, "ssl.truststore.location", s.caFile())
	if n.IsKRaft(svc) {
		out = add(out, "listener.name."+strings.ToLower(controllerListener)+".ssl.client.auth", "required")
	} else {
		out = append(out, s.zkClientOverrides(keystore)...)
	}
	out = append(out, s.authorizerOverrides(n, svc)...)
	if svc.Kind == roles.KindKRaftController {
		return out
	}
	broker, _ := listenerProtocols(s.Security)
	out = add(out, "sasl.enabled.mechanisms", string(scramMechanism))
	out = add(out, "sasl.mechanism.inter.broker.protocol", string(scramMechanism))
	// Each SASL listener needs its own JAAS entry, the external one too.
	jaas := fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`, s.AdminUser, s.password)
	listeners := []string{broker}
	if n.External.Enabled() {
		listeners = append(listeners, externalListener)
	}
	for _, l := range listeners {
		out = add(out, "listener.name."+strings.ToLower(l)+"."+strings.ToLower(string(scramMechanism))+".sasl.jaas.config", jaas)
	}
	return out
}

// formatSCRAM is KRAFT_FORMAT_SCRAM: the argument of kafka-storage format
// that creates the admin user's SCRAM credentials with the metadata, so
// that the very first start is authenticated. On a plaintext node it is
// --ignore-formatted, which changes nothing there (the format runs only
// on an empty data dir).
func (s *secured) formatSCRAM() string {
	if s == nil {
		return "--ignore-formatted"
	}
	return fmt.Sprintf("--add-scram=%s=[name=%s,password=%s]", scramMechanism, s.AdminUser, s.password)
}

// brokerSecurity is how a probe asks a broker listener: TLS with the
// node's CA and the admin user's SCRAM credentials. serverName is the
// name to verify when the probe dials an address the certificate need
// not carry (its own process on 127.0.0.1).
func (s *secured) brokerSecurity(serverName string) *kplan.Security {
	if s == nil {
		return nil
	}
	return &kplan.Security{
		TLS:  &kplan.TLS{CAFile: s.caFile(), ServerName: serverName},
		SASL: &kplan.SASL{Mechanism: scramMechanism, Username: s.AdminUser, PasswordFile: s.AdminPasswordFile},
	}
}

// controllerSecurity is how a probe asks a controller listener: mutual
// TLS with the node's own certificate.
func (s *secured) controllerSecurity(serverName string) *kplan.Security {
	if s == nil {
		return nil
	}
	return &kplan.Security{TLS: &kplan.TLS{CAFile: s.caFile(), CertFile: s.certFile(), KeyFile: s.keyFile(), ServerName: serverName}}
}

// secures reports whether service s is rendered secured: on a secured
// node, a Kafka or ZooKeeper server, the one-shot storing the admin
// user's credentials in ZooKeeper, or a Kafka client kinit runs beside
// the brokers.
func (b *builder) secures(s *roles.Service) bool {
	if b.sec == nil {
		return false
	}
	switch s.Kind {
	case "kafka", "zookeeper", roles.KindKRaftController, roles.KindSCRAMAdmin:
		return true
	}
	return roles.SecuredClient(s)
}

// ownOverrides are the properties secured service s gets on top of the
// template that renders f.
func (b *builder) ownOverrides(s *roles.Service, f *File) []Override {
	keystore := b.sec.keystorePath(s, f)
	switch s.Kind {
	case "zookeeper":
		return b.sec.zkServerOverrides(b.node.Port(s.ID, ""), keystore)
	case roles.KindSCRAMAdmin:
		return b.sec.scramAdminOverrides()
	case "kafka", roles.KindKRaftController:
		return b.sec.overrides(b.node, s, keystore)
	}
	return b.sec.clientOverrides(s, keystore)
}

// keystorePath is where the PEM keystore of service s rendering props
// goes: beside its properties file. ZooKeeper's has a name of its own, as
// a development node renders zookeeper.properties and server.properties
// into one directory.
func (s *secured) keystorePath(svc *roles.Service, props *File) string {
	name := KeystoreName
	if svc.Kind == "zookeeper" {
		name = "zookeeper-" + KeystoreName
	}
	return filepath.Join(filepath.Dir(props.Dst), name)
}

// keystoreFor is the PEM keystore rendered for s beside the properties
// file f that template t renders, readable by the service's user only;
// none for another template or a plaintext node.
func (b *builder) keystoreFor(s *roles.Service, t *roles.Template, f *File) []*File {
	if !t.Properties || !b.secures(s) || s.Kind == roles.KindSCRAMAdmin {
		return nil
	}
	return []*File{{Service: s.ID, Src: b.sec.TLSDir, Template: KeystoreName,
		Dst: b.sec.keystorePath(s, f), Content: b.sec.keystore,
		Mode: secretMode, Owner: f.Owner, Group: f.Group}}
}

// underOverrides puts kinit's own properties under the operator's: a key
// the environment sets keeps the environment's value.
func underOverrides(own, env []Override) []Override {
	set := map[string]bool{}
	for _, o := range env {
		set[o.Key] = true
	}
	var out []Override
	for _, o := range own {
		if !set[o.Key] {
			out = append(out, o)
		}
	}
	return append(out, env...)
}
