package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/test/nethost"
)

// checkSecureDemo: the secure demo's client configs are the user's only
// (0600), kcat -F kcat.conf produces and consumes a record as tenant demo
// (retried while kinit reconciles the tenants, right after the broker is
// ready), kcat-team-a.conf writes to team-a's topic and is refused on
// team-b's, and no password is in what the demo printed.
func checkSecureDemo(ctx context.Context, t *testing.T, h *nethost.Host, state, output string) {
	t.Helper()
	for _, f := range []string{"kcat.conf", "kcat-team-a.conf", "kcat-team-b.conf", "client.properties", "secrets/admin.password", "secrets/tenants/demo"} {
		fi, err := os.Stat(filepath.Join(state, f))
		if err != nil {
			t.Fatalf("the secure demo wrote no %s: %v", f, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", f, fi.Mode().Perm())
		}
	}
	conf := filepath.Join(state, "kcat.conf")
	if !strings.Contains(output, "kcat -F "+conf) {
		t.Errorf("the demo does not print how to use %s", conf)
	}
	kcat := func(stdin string, args ...string) (string, error) {
		return kcatOn(ctx, t, h, stdin, append([]string{"-F", conf}, args...)...)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := kcat("secure demo\n", "-P", "-t", "demo-secure")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kcat -F %s -P: %v\n%s", conf, err, out)
		}
		time.Sleep(time.Second)
	}
	out, err := kcat("", "-C", "-t", "demo-secure", "-o", "beginning", "-c", "1", "-e")
	if err != nil || !strings.Contains(out, "secure demo") {
		t.Fatalf("kcat -F %s -C: %v\n%s", conf, err, out)
	}
	teamA := func(stdin string, args ...string) (string, error) {
		return kcatOn(ctx, t, h, stdin, append([]string{"-F", filepath.Join(state, "kcat-team-a.conf")}, args...)...)
	}
	if out, err := teamA("a's order\n", "-P", "-t", "team-a.orders"); err != nil {
		t.Errorf("kcat -F kcat-team-a.conf on team-a's topic: %v\n%s", err, out)
	}
	if out, err := teamA("a's order\n", "-P", "-t", "team-b.orders"); err == nil || !strings.Contains(out, "uthoriz") {
		t.Errorf("kcat -F kcat-team-a.conf on team-b's topic (%v); want an authorization error:\n%s", err, out)
	}
	for _, f := range []string{"secrets/admin.password", "secrets/tenants/demo", "secrets/tenants/team-a", "secrets/tenants/team-b"} {
		pw, err := os.ReadFile(filepath.Join(state, f))
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.TrimSpace(string(pw)); p == "" || strings.Contains(output, p) {
			t.Errorf("the password of %s is empty or in the demo's output", f)
		}
	}
}
