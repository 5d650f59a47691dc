package container

import (
	"context"
	"testing"
	"time"
)

// The same image in KRaft mode: a kraft-standalone container formats its
// storage once (the one-shot service is done), becomes healthy, serves a
// round trip, and stops with exit 0.
func TestKRaftContainer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	name, seed := runSingleNode(ctx, t, "kraft-standalone")
	want := map[string]string{"kraft-broker-format": "done", "kraft-broker": "ready", "schema-registry": "ready", "control-center": "ready"}
	st, out := waitStates(ctx, t, name, want)
	for _, s := range st.Services {
		if want[s.ID] != s.State {
			t.Errorf("service %s is %s; want %s", s.ID, s.State, want[s.ID])
		}
	}
	if len(st.Services) != len(want) || !st.Ready {
		t.Errorf("status: %s", out)
	}
	roundTrip(ctx, t, seed)
	must(t, ctx, "stop", "-t", "20", name)
	if code, _ := podman(ctx, "inspect", "-f", "{{.State.ExitCode}}", name); code != "0\n" {
		t.Errorf("exit code %q after podman stop; want 0", code)
	}
}
