package container

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
)

// The same image in KRaft mode: a kraft-standalone container formats its
// storage once (the one-shot service is done), becomes healthy, serves a
// round trip, and stops with exit 0.
func TestKRaftContainer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	net := network(t)
	port := testkit.FreePorts(t, 1)[0]
	name := "kinit-kraft-" + suffix()
	start := time.Now()
	must(t, ctx, "run", "-d", "--name", name, "--network", net, "--hostname", "kafka-1",
		"-p", fmt.Sprintf("127.0.0.1:%d:%d", port, port),
		"-e", "KINIT_CONFIG_ID=kraft-standalone", "-e", "KINIT_ROLE=broker", "-e", "KINIT_FLAVOR=small",
		"-e", fmt.Sprintf("KINIT_PORT_KRAFT_BROKER=%d", port),
		"-e", fmt.Sprintf("KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://127.0.0.1:%d", port),
		image)
	waitHealthy(ctx, t, name)
	t.Logf("healthy %.1fs after podman run", time.Since(start).Seconds())
	var st struct {
		Ready    bool `json:"ready"`
		Services []struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"services"`
	}
	out := must(t, ctx, "exec", name, "kinit", "status", "--json")
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kraft-broker-format": "done", "kraft-broker": "ready", "schema-registry": "ready", "control-center": "ready"}
	for _, s := range st.Services {
		if want[s.ID] != s.State {
			t.Errorf("service %s is %s; want %s", s.ID, s.State, want[s.ID])
		}
	}
	if len(st.Services) != len(want) || !st.Ready {
		t.Errorf("status: %s", out)
	}
	roundTrip(ctx, t, fmt.Sprintf("127.0.0.1:%d", port))
	must(t, ctx, "stop", "-t", "20", name)
	if code, _ := podman(ctx, "inspect", "-f", "{{.State.ExitCode}}", name); code != "0\n" {
		t.Errorf("exit code %q after podman stop; want 0", code)
	}
}
