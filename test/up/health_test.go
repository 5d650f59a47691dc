package up

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// `kinit health` is readiness now, `kinit health --live` is liveness, as
// Kubernetes' two probes want them: a required service that stops passing
// its checks makes the node not ready (status says since when and why)
// but still live; a service that failed for good makes it not live.
// Before, ready latched and there was no --live.
func TestHealthReadinessAndLiveness(t *testing.T) {
	n := newNode(t, "health/kinit.toml").withPorts("main")
	healthy := filepath.Join(n.dir, "healthy")
	fail := filepath.Join(n.dir, "fail")
	n.env["KINIT_HEALTH_FILE"], n.env["KINIT_FAIL_FILE"] = healthy, fail
	if err := os.WriteFile(healthy, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := n.start(asChild)
	n.waitStatus("main ready", allReady("main"))
	expectHealth(t, n, 0, "ready")
	expectCLI(t, n, 0, "live", "health", "--live")

	if err := os.Remove(healthy); err != nil {
		t.Fatal(err)
	}
	st := n.waitStatus("main unhealthy", func(st *client.Status) bool { return svc(st, "main").Unhealthy != nil })
	if m := svc(st, "main"); m.Ready || m.State != "unhealthy" || m.Unhealthy.Failures < 2 || m.Unhealthy.Reason == "" {
		t.Fatalf("unhealthy main in status: %+v, %+v", m, m.Unhealthy)
	}
	expectHealth(t, n, 1, "not ready: main")
	expectCLI(t, n, 0, "live", "health", "--live")
	if out := n.cli("status").stdout; !strings.Contains(tableRow(out, "main")[1], "unhealthy") ||
		!strings.Contains(out, "checks failed") {
		t.Errorf("kinit status does not show main unhealthy:\n%s", out)
	}

	if err := os.WriteFile(healthy, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	n.waitStatus("main healthy again", allReady("main"))
	expectHealth(t, n, 0, "ready")

	if err := os.WriteFile(fail, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	n.waitStatus("extra failed", func(st *client.Status) bool { return svc(st, "extra").State == "failed" })
	expectCLI(t, n, 1, "not live: failed for good: extra", "health", "--live")
	expectHealth(t, n, 0, "ready") // extra is not required

	r.signal(unix.SIGTERM)
	r.wait()
}
