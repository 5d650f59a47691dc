// A secured ZooKeeper-mode node: ZooKeeper serves clients (and its
// ensemble) over mutual TLS only, the broker connects to it over TLS, and
// the admin user's SCRAM credentials are stored in ZooKeeper by a
// one-shot before the broker starts.

package macros

import (
	"strconv"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// SCRAMIterations is the iteration count of the admin user's credentials
// stored in ZooKeeper: Kafka's minimum for SCRAM-SHA-512, as the KRaft
// storage format uses by default.
const SCRAMIterations = 4096

// zkServerOverrides serve ZooKeeper's clients on its port over TLS only,
// requiring a client certificate from the node's CA, and its ensemble's
// peer links over TLS too. Host names are not matched against client
// certificates: ZooKeeper 3.8 would match each one against the reverse
// lookup of the client's address, which container networks do not
// provide; the CA decides, as on Kafka's mutual-TLS controller listener,
// and znode ACLs are not enforced (skipACL below).
func (s *secured) zkServerOverrides(port int, keystore string) []Override {
	var out []Override
	add := func(key, value string) {
		out = append(out, Override{Var: roles.EnvSecurity, Key: key, Value: value, Known: true})
	}
	out = append(out, Override{Var: roles.EnvSecurity, Key: "clientPort", Known: true,
		Drop: roles.EnvSecurity + "=" + string(s.Mode) + " serves clients over TLS only, on secureClientPort"})
	add("secureClientPort", strconv.Itoa(port))
	add("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory")
	for _, p := range []string{"ssl.", "ssl.quorum."} {
		add(p+"keyStore.location", keystore)
		add(p+"keyStore.type", "PEM")
		add(p+"trustStore.location", s.caFile())
		add(p+"trustStore.type", "PEM")
		add(p+"hostnameVerification", "false")
	}
	add("ssl.clientAuth", "need")
	add("sslQuorum", "true")
	// Kafka's config tool sets creator-only ACLs on a user's znode
	// whenever it authenticates with a certificate, and each node's
	// certificate is an identity of its own: the other brokers could not
	// read the admin user's credentials. ZooKeeper passes unknown keys on
	// as zookeeper.* system properties: this is zookeeper.skipACL. Mutual
	// TLS already decides who reaches ZooKeeper at all.
	add("skipACL", "yes")
	return out
}

// zkClientOverrides make a ZooKeeper-mode broker connect to ZooKeeper
// over TLS, presenting the node's certificate. The broker verifies the
// server's certificate against the host of the connect string.
func (s *secured) zkClientOverrides(keystore string) []Override {
	var out []Override
	add := func(key, value string) {
		out = append(out, Override{Var: roles.EnvSecurity, Key: key, Value: value, Known: true})
	}
	add("zookeeper.ssl.client.enable", "true")
	add("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty")
	add("zookeeper.ssl.keystore.location", keystore)
	add("zookeeper.ssl.keystore.type", "PEM")
	add("zookeeper.ssl.truststore.location", s.caFile())
	add("zookeeper.ssl.truststore.type", "PEM")
	return out
}

// scramAdminOverrides are the one property of the file Kafka's config
// tool reads (--add-config-file) to store the admin user's credentials:
// the password goes through a file readable by the service's user only,
// never the command line. The tool takes the value without the brackets
// its --add-config form uses.
func (s *secured) scramAdminOverrides() []Override {
	return []Override{{Var: roles.EnvAdminPasswordFile, Key: string(scramMechanism), Known: true, Secret: true,
		Value: "iterations=" + strconv.Itoa(SCRAMIterations) + ",password=" + s.password}}
}

// zkSecurity is how a probe reaches a secured ZooKeeper: mutual TLS with
// the node's certificate. serverName as for brokerSecurity ("" verifies
// the host dialled).
func (s *secured) zkSecurity(serverName string) *kplan.Security {
	if s == nil {
		return nil
	}
	return s.controllerSecurity(serverName)
}
