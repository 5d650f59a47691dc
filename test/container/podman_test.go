package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
)

// podman runs one podman command and returns its stdout.
func podman(ctx context.Context, args ...string) (string, error) {
	var out, errb strings.Builder
	cmd := exec.CommandContext(ctx, "podman", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), &podmanError{args: args, err: err, stderr: errb.String()}
	}
	return out.String(), nil
}

type podmanError struct {
	args   []string
	err    error
	stderr string
}

func (e *podmanError) Error() string {
	return "podman " + strings.Join(e.args, " ") + ": " + e.err.Error() + ": " + strings.TrimSpace(e.stderr)
}

func must(t testing.TB, ctx context.Context, args ...string) string {
	t.Helper()
	out, err := podman(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func suffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// network creates a podman network for one test and removes it, and
// every container on it, at the end.
func network(t testing.TB) string {
	t.Helper()
	name := "kinit-test-" + suffix()
	must(t, context.Background(), "network", "create", name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if ids, _ := podman(ctx, "ps", "-aq", "--filter", "network="+name); strings.TrimSpace(ids) != "" {
			_, _ = podman(ctx, append([]string{"rm", "-f", "-v"}, strings.Fields(ids)...)...)
		}
		_, _ = podman(ctx, "network", "rm", "-f", name)
	})
	return name
}

// waitHealthy runs the image's HEALTHCHECK until it passes.
func waitHealthy(ctx context.Context, t testing.TB, name string) {
	t.Helper()
	var last error
	for {
		if _, last = podman(ctx, "healthcheck", "run", name); last == nil {
			return
		}
		if st, _ := podman(ctx, "inspect", "-f", "{{.State.Status}}", name); strings.TrimSpace(st) == "exited" {
			logs := logs(ctx, name)
			t.Fatalf("container %s exited before it was healthy:\n%s", name, tail(logs, 40))
		}
		select {
		case <-ctx.Done():
			logs := logs(context.Background(), name)
			t.Fatalf("container %s never healthy (%v):\n%s", name, last, tail(logs, 40))
		case <-time.After(time.Second):
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logs is the container's output, stdout and stderr as they came.
func logs(ctx context.Context, name string) string {
	out, _ := exec.CommandContext(ctx, "podman", "logs", name).CombinedOutput()
	return string(out)
}

// runSingleNode starts one container of a single-node config whose
// broker's external listener is published on a free port of 127.0.0.1 and
// advertised there, so the test's client reaches it from the host; it
// waits until the container is healthy and returns its name and the
// bootstrap address.
func runSingleNode(ctx context.Context, t *testing.T, configID string, extra ...string) (name, seed string) {
	t.Helper()
	net := network(t)
	port := testkit.FreePorts(t, 1)[0]
	name = "kinit-" + configID + "-" + suffix()
	start := time.Now()
	// Published as a new user would: a host port of its own onto the
	// broker's external listener (ports.external, 9094), advertised with
	// one setting; the node's services keep the internal listener on 9092.
	args := []string{"run", "-d", "--name", name, "--network", net, "--hostname", "kafka-1",
		"-p", fmt.Sprintf("127.0.0.1:%d:9094", port),
		"-e", "KINIT_CONFIG_ID=" + configID, "-e", "KINIT_ROLE=broker", "-e", "KINIT_FLAVOR=small",
		"-e", fmt.Sprintf("KINIT_EXTERNAL_ADVERTISED=127.0.0.1:%d", port)}
	must(t, ctx, append(append(args, extra...), image)...)
	waitHealthy(ctx, t, name)
	t.Logf("healthy %.1fs after podman run", time.Since(start).Seconds())
	return name, fmt.Sprintf("127.0.0.1:%d", port)
}
