// The authorizer of a cluster with tenants (KINIT_TENANTS_FILE): every
// request is checked against ACLs, none is allowed without one, and only
// the admin user and the cluster's own nodes are super users.

package macros

import (
	"errors"
	"strings"

	"github.com/kinit/kinit/internal/tenants"
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

// readTenants checks the tenants file at start on a node whose broker
// keeps the tenants (node/tenants.go), every problem at its file and
// line, and masks the tenants' passwords in what check and render show.
// A node without a broker (a controller, ZooKeeper, a registry) only runs
// the authorizer and need not mount the file.
func (b *builder) readTenants(s *secured) {
	if !s.Authorizes() || !b.runsKind("kafka") {
		return
	}
	pw, err := tenants.Check(s.TenantsFile, s.AdminUser)
	var ps tenants.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			b.errs.Add(p.Path, p.Line, "%s", p.Message)
		}
	} else if err != nil {
		b.errs.AddError(err)
	}
	for _, v := range pw {
		b.plan.masker.Add(v)
	}
}

// runsKind reports whether the node runs a service of kind.
func (b *builder) runsKind(kind string) bool {
	for _, sv := range b.node.Services {
		if sv.Kind == kind {
			return true
		}
	}
	return false
}
