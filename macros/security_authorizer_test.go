package macros

import (
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
)

// With a tenants file every Kafka process runs the authorizer of its mode,
// denies what no ACL allows, and trusts only the admin user and (on the
// KRaft controller listener) the cluster's own certificates; without one
// nothing changes.
func TestAuthorizerWithTenants(t *testing.T) {
	for _, tt := range []struct {
		role, fqdn, config, file, class, supers string
		mapping                                 bool
	}{
		{"broker", "b-2.example", "kraft-production", "/kraft/server.properties", kraftAuthorizer, "User:admin;User:" + NodePrincipal, true},
		{"controller", "c-1.example", "kraft-production", "/kraft/controller.properties", kraftAuthorizer, "User:admin;User:" + NodePrincipal, true},
		{"broker", "b-1.example", "production", "/kafka/server.properties", zkAuthorizer, "User:admin", false},
	} {
		for _, tenants := range []bool{false, true} {
			env := securedEnv(t, tt.role, tt.fqdn)
			if tt.config == "production" {
				env["KINIT_CONFIG_ID"] = "production"
				env["KINIT_NODES"] = "zookeeper=z-1.example;broker=b-1.example;schemareg=r-1.example"
				delete(env, "KINIT_CLUSTER_ID")
			}
			if tenants {
				env["KINIT_TENANTS_FILE"] = "/etc/kinit/tenants/tenants.toml"
			}
			props := fileContent(plan(t, env, goldenLimits), tt.file)
			get := func(k string) string { v, _, _ := javaprops.Get(props, k); return v }
			rules := get("listener.name.controller.ssl.principal.mapping.rules")
			if !tenants {
				if get("authorizer.class.name") != "" || get("super.users") != "" || rules != "" {
					t.Errorf("%s %s without tenants runs an authorizer:\n%s", tt.config, tt.role, props)
				}
				continue
			}
			if get("authorizer.class.name") != tt.class || get("allow.everyone.if.no.acl.found") != "false" || get("super.users") != tt.supers {
				t.Errorf("%s %s with tenants: authorizer %q, allow.everyone %q, super.users %q", tt.config, tt.role,
					get("authorizer.class.name"), get("allow.everyone.if.no.acl.found"), get("super.users"))
			}
			if tt.mapping != strings.HasSuffix(rules, "/"+NodePrincipal+"/") {
				t.Errorf("%s %s: controller listener principal mapping %q", tt.config, tt.role, rules)
			}
		}
	}
}
