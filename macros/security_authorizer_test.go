package macros

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/roles"
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
				env["KINIT_TENANTS_FILE"] = tenantsFile(t, "[tenants.team-a]\npassword_file = %q\ntopics = [\"team-a.\"]\n")
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

// tenantsFile writes a tenants file from format, given the path of a
// password file it wrote beside it; it returns the file's path.
func tenantsFile(t *testing.T, format string) string {
	t.Helper()
	dir := t.TempDir()
	pw := filepath.Join(dir, "team-a.password")
	f := filepath.Join(dir, "tenants.toml")
	if os.WriteFile(pw, []byte("team-a-pw\n"), 0o600) != nil || os.WriteFile(f, []byte(fmt.Sprintf(format, pw)), 0o644) != nil {
		t.Fatal("cannot write the tenants file")
	}
	return f
}

// A broker node checks the tenants file before anything starts: every
// problem at its line, the password masked in what check shows. A
// controller only runs the authorizer and need not have the file.
func TestTenantsFileCheckedAtStart(t *testing.T) {
	env := securedEnv(t, "broker", "b-2.example")
	bad := tenantsFile(t, "[tenants.team-a]\npassword_file = %q\ntopics = [\"team-a.\"]\ncolour = \"blue\"\n\n[tenants.team-b]\npassword_file = \"relative\"\ntopics = [\"team-a.x\"]\n")
	env["KINIT_TENANTS_FILE"] = bad
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Limits: goldenLimits})
	for _, want := range []string{bad + ":4:", bad + ":7:", "team-a"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	env = securedEnv(t, "controller", "c-1.example")
	env["KINIT_TENANTS_FILE"] = "/nowhere/tenants.toml"
	p := plan(t, env, goldenLimits)
	if !strings.Contains(fileContent(p, "/kraft/controller.properties"), "super.users=") {
		t.Errorf("a controller with tenants runs no authorizer")
	}
	env = securedEnv(t, "broker", "b-2.example")
	env["KINIT_TENANTS_FILE"] = tenantsFile(t, "[tenants.team-a]\npassword_file = %q\ntopics = [\"team-a.\"]\n")
	p = plan(t, env, goldenLimits)
	if got := p.Masker().String("login team-a-pw"); strings.Contains(got, "team-a-pw") {
		t.Errorf("the tenant's password is not masked: %q", got)
	}
}
