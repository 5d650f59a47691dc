package macros

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/internal/tlsdir"
	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// securedEnv is a secured kraft-production node of the given role with its
// material issued from a development CA for its FQDN, and the admin
// password in a file.
func securedEnv(t *testing.T, role, fqdn string) roles.Env {
	t.Helper()
	dir := t.TempDir()
	tls := filepath.Join(dir, "tls")
	if err := tlsdir.NewCA(tls, "test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsdir.Issue(tls, tlsdir.Identity{CommonName: fqdn, Hosts: []string{fqdn}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "admin.password")
	if err := os.WriteFile(pw, []byte("pa55-word-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return roles.Env{"KINIT_CONFIG_ID": "kraft-production", "KINIT_ROLE": role, "KINIT_FQDN": fqdn,
		"KINIT_NODES": "controller=c-1.example;broker=b-2.example,b-3.example", "KINIT_CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qg",
		"KINIT_SECURITY": "sasl_ssl", "KINIT_TLS_DIR": tls, "KINIT_ADMIN_PASSWORD_FILE": pw}
}

// A secured broker: SASL_SSL listener with SCRAM, mutual TLS toward the
// controllers, a PEM keystore only its user reads, the admin user created
// by the storage format, and probes and waits that authenticate.
func TestSecuredBroker(t *testing.T) {
	env := securedEnv(t, "broker", "b-2.example")
	p := plan(t, env, goldenLimits)
	props := fileContent(p, "/kraft/server.properties")
	get := func(k string) string { v, _, _ := javaprops.Get(props, k); return v }
	for k, want := range map[string]string{
		"listeners":                                "SASL_SSL://0.0.0.0:9092",
		"advertised.listeners":                     "SASL_SSL://b-2.example:9092",
		"listener.security.protocol.map":           "SASL_SSL:SASL_SSL,CONTROLLER:SSL",
		"inter.broker.listener.name":               "SASL_SSL",
		"sasl.enabled.mechanisms":                  "SCRAM-SHA-512",
		"sasl.mechanism.inter.broker.protocol":     "SCRAM-SHA-512",
		"ssl.keystore.type":                        "PEM",
		"ssl.truststore.type":                      "PEM",
		"ssl.truststore.location":                  filepath.Join(env["KINIT_TLS_DIR"], "ca.crt"),
		"listener.name.controller.ssl.client.auth": "required",
	} {
		if got := get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	if jaas := get("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"); !strings.Contains(jaas, `username="admin" password="pa55-word-1";`) {
		t.Errorf("jaas config %q", jaas)
	}
	var ks, pf *File
	for _, f := range p.Files {
		switch {
		case strings.HasSuffix(f.Dst, "/kraft/"+KeystoreName):
			ks = f
		case strings.HasSuffix(f.Dst, "/kraft/server.properties"):
			pf = f
		}
	}
	if ks == nil || get("ssl.keystore.location") != ks.Dst {
		t.Fatalf("keystore %+v, ssl.keystore.location %q", ks, get("ssl.keystore.location"))
	}
	if ks.Mode.Perm() != 0o600 || pf.Mode.Perm() != 0o600 {
		t.Errorf("keystore mode %v, properties mode %v; want 0600 (a key, a password)", ks.Mode, pf.Mode)
	}
	if s := string(ks.Content); !strings.HasPrefix(s, "-----BEGIN PRIVATE KEY-----") || strings.Count(s, "BEGIN CERTIFICATE") < 1 {
		t.Errorf("keystore is not a PKCS#8 key then the chain:\n%.80s", s)
	}

	// check prints every rendered file: the keystore's key is masked.
	var out strings.Builder
	p.DescribeFiles(&out)
	body := strings.Split(string(ks.Content), "\n")[1]
	if strings.Contains(out.String(), body) || !strings.Contains(out.String(), "-----BEGIN PRIVATE KEY-----\n"+Mask+"\n") {
		t.Errorf("check shows the keystore's private key")
	}

	format := p.Service("kraft-broker-format")
	if last := format.Argv[len(format.Argv)-1]; last != "--add-scram=SCRAM-SHA-512=[name=admin,password=pa55-word-1]" {
		t.Errorf("format's SCRAM argument %q", last)
	}
	if got := p.Masker().String(strings.Join(format.Argv, " ")); strings.Contains(got, "pa55-word-1") {
		t.Errorf("the masker leaves the password in %q", got)
	}

	kb := p.Service("kraft-broker")
	own := kb.Probe.Security
	if own == nil || own.SASL == nil || own.SASL.Mechanism != kplan.SCRAMSHA512 || own.SASL.PasswordFile != env["KINIT_ADMIN_PASSWORD_FILE"] ||
		own.TLS == nil || own.TLS.ServerName != "b-2.example" || own.TLS.CertFile != "" {
		t.Errorf("the broker's own probe: %+v", own)
	}
	var quorum *kplan.Probe
	for _, w := range kb.Waits {
		if w.Service == "kraft-controller" && len(w.Remote) == 1 {
			quorum = &w.Remote[0]
		}
	}
	if quorum == nil || quorum.Mode != kplan.KafkaQuorum || quorum.Security == nil || quorum.Security.SASL != nil ||
		quorum.Security.TLS.CertFile == "" || quorum.Security.TLS.KeyFile == "" {
		t.Errorf("the wait on the controllers: %+v", quorum)
	}
	if err := (&kplan.Plan{Services: []kplan.Service{kb.Service}}).Validate(); err != nil && strings.Contains(err.Error(), "security") {
		t.Errorf("the plan's security is invalid: %v", err)
	}
}

// A secured controller: its listener mutual TLS, no SASL, its own probe
// presenting the node's certificate.
func TestSecuredController(t *testing.T) {
	env := securedEnv(t, "controller", "c-1.example")
	p := plan(t, env, goldenLimits)
	props := fileContent(p, "/kraft/controller.properties")
	get := func(k string) string { v, _, _ := javaprops.Get(props, k); return v }
	if get("listener.security.protocol.map") != "CONTROLLER:SSL" || get("listener.name.controller.ssl.client.auth") != "required" ||
		get("sasl.enabled.mechanisms") != "" {
		t.Errorf("controller properties:\n%s", props)
	}
	own := p.Service("kraft-controller").Probe.Security
	if own == nil || own.SASL != nil || own.TLS.CertFile == "" || own.TLS.ServerName != "c-1.example" {
		t.Errorf("the controller's own probe: %+v", own)
	}
	if p.QuorumSecurity == nil || p.QuorumSecurity.TLS.KeyFile == "" {
		t.Errorf("status asks the quorum with %+v", p.QuorumSecurity)
	}
}

// Bad material refuses the node, every problem at once, each naming its
// file; a plaintext node reads none of it.
func TestSecuredBadMaterial(t *testing.T) {
	env := securedEnv(t, "broker", "b-2.example")
	tls := env["KINIT_TLS_DIR"]
	// Issued for another host, and the password file gone.
	if err := os.Remove(filepath.Join(tls, "tls.crt")); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsdir.Issue(tls, tlsdir.Identity{CommonName: "x", Hosts: []string{"elsewhere.example"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	env["KINIT_ADMIN_PASSWORD_FILE"] = filepath.Join(t.TempDir(), "missing")
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Env: env, Limits: goldenLimits})
	for _, want := range []string{"KINIT_ADMIN_PASSWORD_FILE=", "cannot read the password", filepath.Join(tls, "tls.crt"), "b-2.example"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

// From 30 days before the node's certificate expires, kinit warns at start
// and at every reload, naming the file and the date.
func TestCertificateExpiryWarning(t *testing.T) {
	env := securedEnv(t, "broker", "b-2.example")
	tls := env["KINIT_TLS_DIR"]
	for _, f := range []string{"tls.crt", "tls.key"} {
		if err := os.Remove(filepath.Join(tls, f)); err != nil {
			t.Fatal(err)
		}
	}
	// Issued 345 days ago for a year: 20 days left.
	if _, err := tlsdir.Issue(tls, tlsdir.Identity{CommonName: "b-2.example", Hosts: []string{"b-2.example"}}, time.Now().Add(-345*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	w := strings.Join(plan(t, env, goldenLimits).Warnings, "\n")
	if !strings.Contains(w, filepath.Join(tls, "tls.crt")+" expires in 19 days") && !strings.Contains(w, filepath.Join(tls, "tls.crt")+" expires in 20 days") {
		t.Errorf("no expiry warning:\n%s", w)
	}
	if w := strings.Join(plan(t, securedEnv(t, "broker", "b-2.example"), goldenLimits).Warnings, "\n"); strings.Contains(w, "expires in") {
		t.Errorf("a fresh certificate warned about:\n%s", w)
	}
}
