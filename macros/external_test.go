package macros

import (
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/roles"
)

// KINIT_EXTERNAL_ADVERTISED adds the EXTERNAL listener on ports.external
// with the internal listener's security, in ZooKeeper and KRaft mode,
// plaintext and secured; the internal listener, which the node's own
// services bootstrap on, is unchanged.
func TestExternalListener(t *testing.T) {
	for _, c := range []struct {
		name, props string
		env         roles.Env
		want        map[string]string
	}{
		{"zookeeper", "/kafka/server.properties",
			roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "k-1.example"},
			map[string]string{
				"listeners":                      "PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:9094",
				"advertised.listeners":           "PLAINTEXT://k-1.example:9092,EXTERNAL://localhost:19092",
				"listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT",
				"inter.broker.listener.name":     "PLAINTEXT",
			}},
		{"kraft combined", "/kraft/server.properties",
			roles.Env{"KINIT_CONFIG_ID": "kraft-standalone", "KINIT_FQDN": "k-1.example", "KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg"},
			map[string]string{
				"listeners":                      "PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:9094,CONTROLLER://0.0.0.0:9093",
				"advertised.listeners":           "PLAINTEXT://k-1.example:9092,EXTERNAL://localhost:19092",
				"listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
			}},
		{"kraft secured", "/kraft/server.properties", securedEnv(t, "broker", "b-2.example"),
			map[string]string{
				"listeners":                      "SASL_SSL://0.0.0.0:9092,EXTERNAL://0.0.0.0:9094",
				"advertised.listeners":           "SASL_SSL://b-2.example:9092,EXTERNAL://localhost:19092",
				"listener.security.protocol.map": "SASL_SSL:SASL_SSL,EXTERNAL:SASL_SSL,CONTROLLER:SSL",
				"inter.broker.listener.name":     "SASL_SSL",
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.env["KINIT_EXTERNAL_ADVERTISED"] = "localhost:19092"
			p := plan(t, c.env, goldenLimits)
			props := fileContent(p, c.props)
			for k, want := range c.want {
				if got, _, _ := javaprops.Get(props, k); got != want {
					t.Errorf("%s = %q; want %q", k, got, want)
				}
			}
			if c.env["KINIT_SECURITY"] != "" {
				if got := p.Service("kraft-broker").TLSListeners; strings.Join(got, ",") != "SASL_SSL,EXTERNAL" {
					t.Errorf("TLS listeners %v; want SASL_SSL, EXTERNAL (a new keystore is reloaded on each)", got)
				}
				// A SASL listener without its JAAS entry stops the broker.
				for _, l := range []string{"sasl_ssl", "external"} {
					if v, _, _ := javaprops.Get(props, "listener.name."+l+".scram-sha-512.sasl.jaas.config"); !strings.Contains(v, "ScramLoginModule required") {
						t.Errorf("listener %s has no JAAS entry: %q", l, v)
					}
				}
			}
			for _, m := range []string{"KAFKA_BOOTSTRAP_SERVERS"} {
				if v := p.Macros[m]; strings.Contains(v, "19092") {
					t.Errorf("%s = %q: the node's services must bootstrap on the internal listener", m, v)
				}
			}
		})
	}
	// ports.external follows its KINIT_PORT_ override.
	env := roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "k-1.example",
		"KINIT_EXTERNAL_ADVERTISED": "[::1]:29092", "KINIT_PORT_KAFKA_BROKER_EXTERNAL": "29092"}
	props := fileContent(plan(t, env, goldenLimits), "/kafka/server.properties")
	if got, _, _ := javaprops.Get(props, "listeners"); got != "PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:29092" {
		t.Errorf("listeners = %q", got)
	}
	if got, _, _ := javaprops.Get(props, "advertised.listeners"); got != "PLAINTEXT://k-1.example:9092,EXTERNAL://[::1]:29092" {
		t.Errorf("advertised.listeners = %q", got)
	}
}

// An operator who publishes a port by overriding advertised.listeners (the
// Confluent images' habit) is warned that the node's services and peers
// lose the address they bootstrap on; one who keeps it is not.
func TestAdvertisedOverrideWarns(t *testing.T) {
	env := roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "k-1.example",
		"KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://localhost:19092"}
	p := plan(t, env, goldenLimits)
	warned := strings.Join(p.Warnings, "\n")
	if !strings.Contains(warned, "KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:19092: service kafka-broker no longer advertises PLAINTEXT://k-1.example:9092") ||
		!strings.Contains(warned, "KINIT_EXTERNAL_ADVERTISED=host:port") {
		t.Errorf("no warning about the lost internal listener:\n%s", warned)
	}
	env["KAFKA_ADVERTISED_LISTENERS"] = "PLAINTEXT://k-1.example:9092"
	if w := strings.Join(plan(t, env, goldenLimits).Warnings, "\n"); strings.Contains(w, "no longer advertises") {
		t.Errorf("warned about an override that keeps the internal listener:\n%s", w)
	}
}

// On a secured node the certificate must name the external host too:
// outside clients verify it.
func TestExternalHostInCertificate(t *testing.T) {
	env := securedEnv(t, "broker", "b-2.example")
	env["KINIT_EXTERNAL_ADVERTISED"] = "kafka.example.com:19092"
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	env["KINIT_DATA_DIR"] = t.TempDir()
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Env: env, Limits: goldenLimits})
	if err == nil || !strings.Contains(err.Error(), `tls.crt: does not name host "kafka.example.com"`) {
		t.Errorf("a certificate without the external host: %v", err)
	}
}
