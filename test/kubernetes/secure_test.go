package kubernetes

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/roles"
)

// The Secrets a secured pod mounts (deploy/kubernetes/*-secure): the node's
// TLS material in the cert-manager layout, the admin user's password, and
// the brokers' client users.
const (
	tlsSecret   = "kinit-tls"
	adminSecret = "kinit-admin"
	usersSecret = "kinit-users"

	// secretMode is the defaultMode each is mounted with: kinit refuses a
	// private key or password others may read.
	secretMode = 0o400
	// adminKey is kinit-admin's key holding the password.
	adminKey = "password"
)

// secretMount is a Secret volume as the container mounts it.
type secretMount struct {
	path     string
	readOnly bool
	secret   *corev1.SecretVolumeSource
}

// secretMounts lists the container's Secret volumes by Secret name.
func secretMounts(sts *appsv1.StatefulSet) map[string]secretMount {
	spec := sts.Spec.Template.Spec
	out := map[string]secretMount{}
	for _, vm := range spec.Containers[0].VolumeMounts {
		for _, v := range spec.Volumes {
			if v.Name == vm.Name && v.Secret != nil {
				out[v.Secret.SecretName] = secretMount{path: vm.MountPath, readOnly: vm.ReadOnly, secret: v.Secret}
			}
		}
	}
	return out
}

// securedEnv is where the pod is told its material is: the TLS dir (or
// kinit's default), the password file, the users dir ("" for none).
func securedEnv(env map[string]string) (tlsDir, passwordFile, usersDir string) {
	tlsDir = env[roles.EnvTLSDir]
	if tlsDir == "" {
		tlsDir = roles.DefaultTLSDir
	}
	return tlsDir, env[roles.EnvAdminPasswordFile], env[roles.EnvUsersDir]
}

// Every pod of a secured overlay is told sasl_ssl by the ConfigMap all of
// them read, and mounts each Secret where its variables point, 0400.
func TestSecuredPodsMountTheirSecrets(t *testing.T) {
	for _, d := range deployments {
		if !d.secured {
			continue
		}
		m := load(t, d.dir)
		for _, sts := range m.statefulSets {
			where := d.dir + "/" + sts.Name
			role, _ := roleOf(sts)
			c := sts.Spec.Template.Spec.Containers[0]
			env, err := podsOf(sts)[0].env(m.configMaps)
			if err != nil {
				t.Fatal(where, err)
			}
			if env[roles.EnvSecurity] != string(roles.SecuritySASLSSL) {
				t.Errorf("%s: %s=%q, want %s", where, roles.EnvSecurity, env[roles.EnvSecurity], roles.SecuritySASLSSL)
			}
			fromConfigMap := false
			for _, from := range c.EnvFrom {
				if cm := m.configMaps[from.ConfigMapRef.Name]; cm != nil && cm.Data[roles.EnvSecurity] == string(roles.SecuritySASLSSL) {
					fromConfigMap = true
				}
			}
			if !fromConfigMap || slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == roles.EnvSecurity }) {
				t.Errorf("%s: %s must come from the ConfigMap every pod reads, and only from there: one switch for the cluster", where, roles.EnvSecurity)
			}

			mounts := secretMounts(sts)
			tlsDir, passwordFile, usersDir := securedEnv(env)
			want := map[string]string{tlsSecret: tlsDir, adminSecret: filepath.Dir(passwordFile)}
			if usersDir != "" {
				want[usersSecret] = usersDir
			}
			if role == "broker" && usersDir == "" {
				t.Errorf("%s: brokers set no %s: client users would have to share the admin's password", where, roles.EnvUsersDir)
			}
			if passwordFile == "" {
				t.Errorf("%s: no %s", where, roles.EnvAdminPasswordFile)
			}
			for name, dir := range want {
				sm, ok := mounts[name]
				switch {
				case !ok:
					t.Errorf("%s: Secret %s is not mounted; it belongs at %s", where, name, dir)
					continue
				case sm.path != dir:
					t.Errorf("%s: Secret %s mounted at %s, but the pod is told %s", where, name, sm.path, dir)
				case !sm.readOnly:
					t.Errorf("%s: Secret %s mounted writable", where, name)
				}
				if sm.secret.DefaultMode == nil || *sm.secret.DefaultMode != secretMode {
					t.Errorf("%s: Secret %s: defaultMode %v, want 0400 (kinit refuses a key or password others may read)", where, name, modeString(sm.secret.DefaultMode))
				}
				optional := sm.secret.Optional != nil && *sm.secret.Optional
				if optional != (name == usersSecret) {
					t.Errorf("%s: Secret %s optional=%v: only the client users may be missing", where, name, optional)
				}
			}
			if sm, ok := mounts[tlsSecret]; ok {
				for _, it := range sm.secret.Items {
					if it.Key == tlsdir.CAKeyFile || it.Path == tlsdir.CAKeyFile {
						t.Errorf("%s: %s projects %s: the CA key is never mounted in production", where, tlsSecret, tlsdir.CAKeyFile)
					}
				}
				if got := projected(sm.secret, []string{tlsdir.CAFile, tlsdir.CertFile, tlsdir.KeyFile}); !slices.Equal(got, []string{tlsdir.CAFile, tlsdir.CertFile, tlsdir.KeyFile}) {
					t.Errorf("%s: %s shows the files %v, kinit reads ca.crt, tls.crt, tls.key", where, tlsSecret, got)
				}
			}
			if sm, ok := mounts[adminSecret]; ok && passwordFile != "" {
				if got := projected(sm.secret, []string{adminKey}); !slices.Equal(got, []string{filepath.Base(passwordFile)}) {
					t.Errorf("%s: %s's key %q shows as %v in %s; %s is %s", where, adminSecret, adminKey, got, sm.path, roles.EnvAdminPasswordFile, passwordFile)
				}
			}
		}
	}
}

// projected is the file names keys show as in a Secret volume: each key
// under its own name, or only the listed items under their paths.
func projected(s *corev1.SecretVolumeSource, keys []string) []string {
	if len(s.Items) == 0 {
		return keys
	}
	var out []string
	for _, k := range keys {
		for _, it := range s.Items {
			if it.Key == k {
				out = append(out, it.Path)
			}
		}
	}
	return out
}

func modeString(m *int32) string {
	if m == nil {
		return "unset (0644)"
	}
	return fmt.Sprintf("%#o", *m)
}

// The overlay's cert-manager Certificate (applied apart, see
// TestKustomizationListsEveryManifest) issues the kinit-tls Secret every
// pod mounts: a wildcard per headless Service covers each pod's FQDN, and
// it authenticates as a server and as a client, its key in the PKCS#8 that
// Kafka's PEM keystore reads. TestEveryPodPassesKinitCheck then issues a
// certificate with exactly these names and runs kinit's own check on it.
func TestCertificateNamesEveryPod(t *testing.T) {
	for _, d := range deployments {
		if !d.secured {
			continue
		}
		m := load(t, d.dir)
		cert := tlsCertificate(t, m)
		if cert == nil {
			continue
		}
		ns := m.namespaces[0].Name
		for _, svc := range m.services {
			if svc.Spec.ClusterIP != corev1.ClusterIPNone {
				continue
			}
			if name := "*." + svc.Name + "." + ns + ".svc"; !slices.Contains(cert.Spec.DNSNames, name) {
				t.Errorf("%s: Certificate %s does not name %s, the pods of Service %s", d.dir, cert.Name, name, svc.Name)
			}
		}
		for _, u := range []string{"server auth", "client auth"} {
			if !slices.Contains(cert.Spec.Usages, u) {
				t.Errorf("%s: Certificate %s: usages %v lack %q", d.dir, cert.Name, cert.Spec.Usages, u)
			}
		}
		if cert.Spec.PrivateKey.Encoding != "PKCS8" {
			t.Errorf("%s: Certificate %s: privateKey.encoding %q, want PKCS8", d.dir, cert.Name, cert.Spec.PrivateKey.Encoding)
		}
		if cert.Spec.IssuerRef.Name == "" {
			t.Errorf("%s: Certificate %s names no issuer", d.dir, cert.Name)
		}
	}
}

// tlsCertificate is the Certificate that makes the kinit-tls Secret.
func tlsCertificate(t *testing.T, m *manifests) *certificate {
	t.Helper()
	var found *certificate
	for _, c := range m.certificates {
		if c.Spec.SecretName == tlsSecret {
			if found != nil {
				t.Errorf("%s: two Certificates make Secret %s", m.dir, tlsSecret)
			}
			found = c
		}
	}
	if found == nil {
		t.Errorf("%s: no cert-manager Certificate makes Secret %s", m.dir, tlsSecret)
	}
	return found
}

// mountSecrets gives a secured pod's check the files its Secrets would
// hold, under tmp: ca.crt and a tls.crt/tls.key issued for the Certificate's
// names by a CA whose key stays outside (as cert-manager's does), the admin
// password, one client user. Each file gets the volume's defaultMode plus
// the group read fsGroup adds. The mount paths (/etc/kinit/…) are not
// writable here, so — for this check only — the variables pointing into a
// mount are rewritten to point into its stand-in under tmp; that they point
// into the mounts at all is TestSecuredPodsMountTheirSecrets'.
func mountSecrets(t *testing.T, m *manifests, sts *appsv1.StatefulSet, env map[string]string, tmp string) {
	t.Helper()
	cert := tlsCertificate(t, m)
	if cert == nil {
		t.FailNow()
	}
	now := time.Now()
	ca := filepath.Join(tmp, "ca")
	if err := tlsdir.NewCA(ca, "kinit test CA", now); err != nil {
		t.Fatal(err)
	}
	files := map[string]map[string]string{
		adminSecret: {adminKey: "not-a-real-password\n"},
		usersSecret: {"app": "app-password\n"},
	}
	tlsDir, _, _ := securedEnv(env)
	if env[roles.EnvTLSDir] == "" {
		env[roles.EnvTLSDir] = tlsDir
	}
	for name, sm := range secretMounts(sts) {
		dir := filepath.Join(tmp, "secrets", name)
		if name == tlsSecret {
			id := tlsdir.Identity{CommonName: cert.Spec.CommonName, Hosts: cert.Spec.DNSNames}
			if err := tlsdir.IssueTo(ca, dir, id, now); err != nil {
				t.Fatal(err)
			}
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for key, content := range files[name] {
			for _, p := range projected(sm.secret, []string{key}) {
				if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
		mode := os.FileMode(0o644)
		if sm.secret.DefaultMode != nil {
			mode = os.FileMode(*sm.secret.DefaultMode)
		}
		if sts.Spec.Template.Spec.SecurityContext.FSGroup != nil {
			mode |= 0o040
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if err := os.Chmod(filepath.Join(dir, e.Name()), mode); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range []string{roles.EnvTLSDir, roles.EnvAdminPasswordFile, roles.EnvUsersDir} {
			if v := env[k]; v == sm.path || strings.HasPrefix(v, sm.path+"/") {
				env[k] = dir + strings.TrimPrefix(v, sm.path)
			}
		}
	}
}
