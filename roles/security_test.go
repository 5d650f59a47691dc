package roles

import (
	"strings"
	"testing"
)

// The security variables: defaults on a plaintext node, and every problem
// of a secured one at once, each naming its variable (or the service that
// cannot be secured).
func TestResolveSecurity(t *testing.T) {
	cfg := loadShipped(t)
	base := func(extra Env) Env {
		env := Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_FQDN": "k-1.example", "KINIT_DATA_DIR": t.TempDir()}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	n, err := Resolve(cfg, base(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s := n.Security; s.Secure() || s.Mode != SecurityPlaintext || s.TLSDir != DefaultTLSDir || s.AdminUser != DefaultAdminUser {
		t.Errorf("plaintext defaults: %+v", s)
	}

	_, err = Resolve(cfg, base(Env{"KINIT_SECURITY": "sasl_ssl", "KINIT_TLS_DIR": "tls", "KINIT_ADMIN_USER": "ad,min"}))
	want := []string{
		`KINIT_TLS_DIR: "tls" is not an absolute path`,
		`KINIT_ADMIN_USER: "ad,min" is not a user name`,
		"KINIT_ADMIN_PASSWORD_FILE is not set",
	}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	// kraft-standalone runs the registry and Control Center beside the
	// broker: all three are secured.
	if err != nil && strings.Contains(err.Error(), "cannot run secured") {
		t.Errorf("a KRaft config can be secured, yet:\n%v", err)
	}
	// A ZooKeeper-mode node runs the one-shot that stores the admin user
	// in ZooKeeper only when secured, and its broker waits for it only then.
	for _, secured := range []bool{false, true} {
		env := base(Env{"KINIT_CONFIG_ID": "standalone"})
		if secured {
			env["KINIT_SECURITY"], env["KINIT_ADMIN_PASSWORD_FILE"] = "sasl_ssl", "/run/secrets/admin"
		}
		n, err := Resolve(cfg, env)
		if err != nil {
			t.Fatalf("standalone, secured %v: %v", secured, err)
		}
		var ids, brokerWaits []string
		for _, s := range n.Services {
			ids = append(ids, s.ID)
			if s.ID == "kafka-broker" {
				for _, w := range s.Waits {
					brokerWaits = append(brokerWaits, w.Service)
				}
			}
		}
		want, wantWaits := "zookeeper,kafka-broker,schema-registry,control-center", "zookeeper"
		if secured {
			want, wantWaits = "zookeeper,kafka-scram-admin,kafka-broker,schema-registry,control-center", "zookeeper,kafka-scram-admin"
		}
		if got := strings.Join(ids, ","); got != want {
			t.Errorf("standalone, secured %v, runs %s, want %s", secured, got, want)
		}
		if got := strings.Join(brokerWaits, ","); got != wantWaits {
			t.Errorf("standalone, secured %v: the broker waits for %s, want %s", secured, got, wantWaits)
		}
	}

	if _, err := Resolve(cfg, base(Env{"KINIT_SECURITY": "ssl"})); err == nil || !strings.Contains(err.Error(), `KINIT_SECURITY: "ssl" is not a security mode (want plaintext or sasl_ssl)`) {
		t.Errorf("unknown mode: %v", err)
	}

	n, err = Resolve(cfg, Env{"KINIT_CONFIG_ID": "kraft-production", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-1.example",
		"KINIT_NODES": "controller=c-1.example;broker=b-1.example", "KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg",
		"KINIT_DATA_DIR": t.TempDir(), "KINIT_SECURITY": "sasl_ssl", "KINIT_ADMIN_PASSWORD_FILE": "/run/secrets/admin"})
	if err != nil {
		t.Fatalf("a secured KRaft broker: %v", err)
	}
	if !n.Security.Secure() || n.Security.AdminPasswordFile != "/run/secrets/admin" {
		t.Errorf("secured: %+v", n.Security)
	}
}

// Tenants need SCRAM users: a plaintext node with a tenants file, or a
// relative path, is refused before anything starts, naming the variable;
// the config's tenants_file is the default.
func TestTenantsNeedSecurity(t *testing.T) {
	cfg := loadShipped(t)
	_, err := Resolve(cfg, Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_FQDN": "s-1.example", "KINIT_DATA_DIR": t.TempDir(), "KINIT_TENANTS_FILE": "tenants.toml"})
	for _, want := range []string{"KINIT_TENANTS_FILE=tenants.toml needs KINIT_SECURITY=sasl_ssl", `KINIT_TENANTS_FILE: "tenants.toml" is not an absolute path`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in: %v", want, err)
		}
	}
	cfg.Cluster.TenantsFile = "/etc/kinit/tenants.toml"
	n, err := Resolve(cfg, Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_FQDN": "s-1.example", "KINIT_DATA_DIR": t.TempDir(),
		"KINIT_SECURITY": "sasl_ssl", "KINIT_ADMIN_PASSWORD_FILE": "/run/secrets/admin"})
	if err != nil || n.Security.TenantsFile != "/etc/kinit/tenants.toml" || !n.Security.Authorizes() {
		t.Errorf("tenants_file from the config: %v %+v", err, n)
	}
}
