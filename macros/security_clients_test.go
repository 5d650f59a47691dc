package macros

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// registryOverrides is the list test/components' TestSecureRegistry runs
// Apicurio with against a secured broker, placeholders filled from values.
func registryOverrides(t *testing.T, values map[string]string) (keys []string, want map[string]string) {
	t.Helper()
	data, err := os.ReadFile("testdata/secure-registry.properties")
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for k, v := range values {
		pairs = append(pairs, k, v)
	}
	fill := strings.NewReplacer(pairs...)
	want = map[string]string{}
	for _, l := range javaprops.Lines(string(data)) {
		if l.Entry {
			keys = append(keys, l.Key)
			want[l.Key] = fill.Replace(l.Value)
		}
	}
	return keys, want
}

// A secured node's schema registry: its Apicurio file carries exactly the
// properties proved against a real secured broker, the keystore beside it
// only its user reads, and its probe asks over https with the node's CA.
func TestSecurityClientsRegistry(t *testing.T) {
	env := securedEnv(t, "schemareg", "sr-1.example")
	p := plan(t, env, goldenLimits)
	var props, ks *File
	for _, f := range p.Files {
		switch {
		case strings.HasSuffix(f.Dst, "/schema-registry/apicurio-registry.properties"):
			props = f
		case strings.HasSuffix(f.Dst, "/schema-registry/"+KeystoreName):
			ks = f
		}
	}
	if props == nil || ks == nil {
		t.Fatalf("apicurio-registry.properties %v, keystore %v; want both rendered", props != nil, ks != nil)
	}
	if props.Mode.Perm() != 0o600 || ks.Mode.Perm() != 0o600 {
		t.Errorf("properties mode %v, keystore mode %v; want 0600 (a password, a key)", props.Mode, ks.Mode)
	}
	if s := string(ks.Content); !strings.HasPrefix(s, "-----BEGIN PRIVATE KEY-----") || !strings.Contains(s, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("keystore is not a PKCS#8 key then the chain:\n%.80s", s)
	}
	ca := filepath.Join(env["KINIT_TLS_DIR"], "ca.crt")
	keys, want := registryOverrides(t, map[string]string{
		"{user}": "admin", "{password}": "pa55-word-1", "{ca}": ca, "{keystore}": ks.Dst})
	text := string(props.Content)
	for _, k := range keys {
		if got, _, ok := javaprops.Get(text, k); !ok || got != want[k] {
			t.Errorf("%s = %q (set: %v); want %q", k, got, ok, want[k])
		}
	}
	if got, _, _ := javaprops.Get(text, "apicurio.kafkasql.bootstrap.servers"); !strings.HasPrefix(got, "SASL_SSL://") {
		t.Errorf("apicurio.kafkasql.bootstrap.servers = %q; want the SASL_SSL listeners", got)
	}

	// Nothing else: keys the test against a real broker did not run are
	// guesses (Apicurio's own apicurio.kafkasql.security.* ones are
	// ignored for SCRAM and for a PEM trust store).
	i := slices.IndexFunc(p.Node.Services, func(s *roles.Service) bool { return s.ID == "schema-registry" })
	if i < 0 {
		t.Fatal("no schema-registry service on the node")
	}
	sec := &secured{Security: p.Node.Security, password: "pa55-word-1"}
	var got []string
	for _, o := range sec.clientOverrides(p.Node.Services[i], ks.Dst) {
		got = append(got, o.Key)
		if o.Secret != strings.Contains(o.Value, "pa55-word-1") {
			t.Errorf("%s: Secret %v, want it when the value holds the password", o.Key, o.Secret)
		}
	}
	if !slices.Equal(got, keys) {
		t.Errorf("clientOverrides sets\n%q\nwant (testdata/secure-registry.properties)\n%q", got, keys)
	}

	sr := p.Service("schema-registry")
	if sr.Probe == nil || sr.Probe.Security == nil || sr.Probe.Security.TLS == nil {
		t.Fatalf("the registry's probe: %+v; want TLS", sr.Probe)
	}
	if tls := sr.Probe.Security.TLS; tls.CAFile != ca || tls.ServerName != "sr-1.example" || sr.Probe.Security.SASL != nil {
		t.Errorf("the registry's probe security: %+v", *tls)
	}
	for _, u := range sr.Probe.URLs {
		if !strings.HasPrefix(u, "https://127.0.0.1:") {
			t.Errorf("the registry's probe asks %s; want https", u)
		}
	}
	if err := (&kplan.Plan{Services: []kplan.Service{sr.Service}}).Validate(); err != nil && strings.Contains(err.Error(), "security") {
		t.Errorf("the plan's security is invalid: %v", err)
	}
}
