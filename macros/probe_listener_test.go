package macros

import (
	"strings"
	"testing"

	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// A broker whose listeners the operator secured with KAFKA_* variables,
// KINIT_SECURITY left plaintext: the probe speaks the listener it dials.
func TestProbeFromOperatorListeners(t *testing.T) {
	base := func(extra roles.Env) roles.Env {
		env := roles.Env{"KINIT_CONFIG_ID": "kraft-production", "KINIT_ROLE": "broker", "KINIT_FQDN": "b-2.example",
			"KINIT_NODES": "controller=c-1.example;broker=b-2.example", "KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg",
			"KAFKA_LISTENERS":                      "SASL_SSL://0.0.0.0:9092",
			"KAFKA_ADVERTISED_LISTENERS":           "SASL_SSL://b-2.example:9092",
			"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
			"KAFKA_INTER_BROKER_LISTENER_NAME":     "SASL_SSL",
			"KAFKA_SASL_ENABLED_MECHANISMS":        "GSSAPI,PLAIN",
			"KAFKA_SSL_TRUSTSTORE_TYPE":            "PEM",
			"KAFKA_SSL_TRUSTSTORE_LOCATION":        "/etc/kafka/ca.crt",
			"KINIT_ADMIN_PASSWORD_FILE":            "/run/secrets/admin",
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	p := plan(t, base(nil), goldenLimits)
	got := p.Service("kraft-broker").Probe.Security
	want := kplan.Security{TLS: &kplan.TLS{CAFile: "/etc/kafka/ca.crt", ServerName: "b-2.example"},
		SASL: &kplan.SASL{Mechanism: kplan.SASLPlain, Username: "admin", PasswordFile: "/run/secrets/admin"}}
	if got == nil || got.TLS == nil || got.SASL == nil || *got.TLS != *want.TLS || *got.SASL != *want.SASL {
		t.Fatalf("probe security %+v; want TLS %+v, SASL %+v", got, want.TLS, want.SASL)
	}

	// A listener-scoped client-auth requirement takes the PEM keystore.
	p = plan(t, base(roles.Env{"KAFKA_LISTENER_NAME_SASL__SSL_SSL_CLIENT_AUTH": "required",
		"KAFKA_SSL_KEYSTORE_TYPE": "PEM", "KAFKA_SSL_KEYSTORE_LOCATION": "/etc/kafka/keystore.pem"}), goldenLimits)
	if tl := p.Service("kraft-broker").Probe.Security.TLS; tl.CertFile != "/etc/kafka/keystore.pem" || tl.KeyFile != tl.CertFile {
		t.Errorf("client certificate %+v", tl)
	}

	// What the probe cannot speak is refused before anything starts.
	for _, c := range []struct {
		env  roles.Env
		want string
	}{
		{roles.Env{"KAFKA_SSL_TRUSTSTORE_TYPE": "JKS"}, "its truststore /etc/kafka/ca.crt is JKS, and the probe reads PEM only"},
		{roles.Env{"KAFKA_SASL_ENABLED_MECHANISMS": "GSSAPI"}, "none of its SASL mechanisms (sasl.enabled.mechanisms=GSSAPI)"},
		{roles.Env{"KINIT_ADMIN_PASSWORD_FILE": ""}, "set KINIT_ADMIN_PASSWORD_FILE"},
	} {
		env := base(c.env)
		if env["KINIT_ADMIN_PASSWORD_FILE"] == "" {
			delete(env, "KINIT_ADMIN_PASSWORD_FILE")
		}
		env["KINIT_DATA_DIR"] = t.TempDir()
		cfg, err := roles.Load(shipped)
		if err != nil {
			t.Fatal(err)
		}
		n, err := roles.Resolve(cfg, env)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Build(n, Options{Env: env, Limits: goldenLimits})
		if err == nil || !strings.Contains(err.Error(), "kinit's readiness probe dials listener SASL_SSL (SASL_SSL) on port 9092: "+c.want) {
			t.Errorf("%v: got %v; want %q", c.env, err, c.want)
		}
	}

	// A plaintext listener, or a node kinit secures itself, is left alone.
	env := base(nil)
	for _, k := range []string{"KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "KAFKA_INTER_BROKER_LISTENER_NAME"} {
		delete(env, k)
	}
	if sec := plan(t, env, goldenLimits).Service("kraft-broker").Probe.Security; sec != nil {
		t.Errorf("a PLAINTEXT listener's probe got %+v", sec)
	}
}
