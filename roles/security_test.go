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
	if _, err := Resolve(cfg, base(Env{"KINIT_CONFIG_ID": "standalone", "KINIT_SECURITY": "sasl_ssl", "KINIT_ADMIN_PASSWORD_FILE": "/run/secrets/admin"})); err == nil ||
		!strings.Contains(err.Error(), "KINIT_SECURITY=sasl_ssl: config standalone runs Kafka with ZooKeeper, which cannot run secured yet") {
		t.Errorf("a ZooKeeper-mode config secured: %v", err)
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
