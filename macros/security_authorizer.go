// The authorizer of a cluster with tenants (KINIT_TENANTS_FILE): every
// request is checked against ACLs, none is allowed without one, and only
// the admin user and the cluster's own nodes are super users.

package macros

import (
	"strings"

	"github.com/kinit/kinit/roles"
)

// NodePrincipal is the principal every certificate of the cluster's CA
// maps to on the KRaft controller listener: brokers and controllers talk
// there over mutual TLS, each with a certificate naming its own host, and
// the controllers must let all of them register and vote. Only a
// certificate the CA signed gets that far.
const NodePrincipal = "kinit-node"

// Authorizer classes: KRaft keeps ACLs in the metadata log, ZooKeeper mode
// in ZooKeeper (reached with the broker's own zookeeper.ssl.* settings).
const (
	kraftAuthorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
	zkAuthorizer    = "kafka.security.authorizer.AclAuthorizer"
)

// authorizerOverrides are the authorizer's properties for Kafka service
// svc, none without tenants.
func (s *secured) authorizerOverrides(n *roles.Node, svc *roles.Service) []Override {
	if !s.Authorizes() {
		return nil
	}
	var out []Override
	add := func(key, value string) {
		out = append(out, Override{Var: roles.EnvTenantsFile, Key: key, Value: value, Known: true})
	}
	supers := []string{"User:" + s.AdminUser}
	if n.IsKRaft(svc) {
		add("authorizer.class.name", kraftAuthorizer)
		add("listener.name."+strings.ToLower(controllerListener)+".ssl.principal.mapping.rules", "RULE:^.*$/"+NodePrincipal+"/")
		supers = append(supers, "User:"+NodePrincipal)
	} else {
		add("authorizer.class.name", zkAuthorizer)
	}
	add("allow.everyone.if.no.acl.found", "false")
	add("super.users", strings.Join(supers, ";"))
	return out
}
