package container

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/test/kafkahome"
)

// The image secured as production mounts it: a TLS dir holding an issued
// certificate and no CA key, read-only, and the admin password and a client
// user as Secret files. The kraft-standalone container becomes healthy
// through authenticated probes (its HEALTHCHECK is kinit health), every
// service ready; kcat from the host, as the client user over the published
// external listener, round-trips a record; no password is in the
// container's log or in any service's environment; podman stop exits 0.
func TestSecureContainer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	dir := t.TempDir()
	ca, tls, secrets := filepath.Join(dir, "ca"), filepath.Join(dir, "tls"), filepath.Join(dir, "secrets")
	if err := tlsdir.NewCA(ca, "kinit container test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	// The external listener is advertised at 127.0.0.1 (runSingleNode):
	// the certificate names it beside the container's host name.
	if _, err := tlsdir.Issue(ca, tlsdir.Identity{CommonName: "kafka-1", Hosts: []string{"kafka-1", "localhost", "127.0.0.1"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	const adminPW, appPW = "container-Admin-pw1", "container-App-pw1"
	files := map[string]string{
		filepath.Join(secrets, "admin.password"): adminPW,
		filepath.Join(secrets, "users", "app"):   appPW,
	}
	for _, f := range []string{tlsdir.CAFile, tlsdir.CertFile, tlsdir.KeyFile} {
		data, err := os.ReadFile(filepath.Join(ca, f))
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join(tls, f)] = string(data)
	}
	for path, body := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The image's kafka user (1000) owns what it reads, as a Secret
	// mounted with fsUser/fsGroup would give it.
	if out, err := exec.Command("chown", "-R", "1000:1000", tls, secrets).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	name, seed := runSingleNode(ctx, t, "kraft-standalone",
		"-v", tls+":/etc/kinit/tls:ro", "-v", secrets+":/run/secrets/kinit:ro",
		"-e", "KINIT_SECURITY=sasl_ssl", "-e", "KINIT_ADMIN_PASSWORD_FILE=/run/secrets/kinit/admin.password",
		"-e", "KINIT_USERS_DIR=/run/secrets/kinit/users")
	want := map[string]string{"kraft-broker-format": "done", "kraft-broker": "ready", "schema-registry": "ready", "control-center": "ready"}
	st, out := waitStates(ctx, t, name, want)
	for _, s := range st.Services {
		if want[s.ID] != s.State {
			t.Errorf("service %s is %s; want %s (%s)", s.ID, s.State, want[s.ID], out)
		}
	}

	kcat := func(stdin string, args ...string) (string, error) {
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		argv := append([]string{"-b", seed, "-m", "10", "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
			"-X", "sasl.username=app", "-X", "sasl.password=" + appPW, "-X", "ssl.ca.location=" + filepath.Join(ca, tlsdir.CAFile)}, args...)
		cmd := exec.CommandContext(cctx, "kcat", argv...)
		cmd.Env = append(os.Environ(), kafkahome.KcatEnv(t)...)
		cmd.Stdin = strings.NewReader(stdin)
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	// User app is applied right after the broker is ready: retry briefly.
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := kcat("sealed in a container\n", "-P", "-t", "kinit-secure-container")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kcat -P as app through %s: %v\n%s", seed, err, out)
		}
		time.Sleep(time.Second)
	}
	if out, err := kcat("", "-C", "-t", "kinit-secure-container", "-o", "beginning", "-c", "1", "-e"); err != nil || !strings.Contains(out, "sealed in a container") {
		t.Fatalf("kcat -C as app through %s: %v\n%s", seed, err, out)
	}

	log := logs(ctx, name)
	for _, pw := range []string{adminPW, appPW} {
		if strings.Contains(log, pw) {
			t.Errorf("a password is in the container's log")
		}
		for _, s := range st.Services {
			if s.Pid == 0 {
				continue
			}
			env, _ := podman(ctx, "exec", name, "cat", fmt.Sprintf("/proc/%d/environ", s.Pid))
			if strings.Contains(env, pw) {
				t.Errorf("a password is in the environment of %s", s.ID)
			}
		}
	}
	must(t, ctx, "stop", "-t", "20", name)
	if code, _ := podman(ctx, "inspect", "-f", "{{.State.ExitCode}}", name); code != "0\n" {
		t.Errorf("exit code %q after podman stop; want 0", code)
	}
}
