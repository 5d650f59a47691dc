package container

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// status is the part of `kinit status --json` the container tests read.
type status struct {
	Ready bool `json:"ready"`
	Kinit struct {
		Pid int `json:"pid"`
	} `json:"kinit"`
	Services []struct {
		ID    string `json:"id"`
		State string `json:"state"`
		Pid   int    `json:"pid"`
	} `json:"services"`
}

func (s status) states() map[string]string {
	got := map[string]string{}
	for _, svc := range s.Services {
		got[svc.ID] = svc.State
	}
	return got
}

// waitStates polls `kinit status --json` inside the container until kinit
// reports ready and every service is in the wanted state. Healthy comes
// earlier: the HEALTHCHECK asks only for the required services (ZooKeeper
// and the broker), so the registry and Control Center may still be
// starting when it first passes. The last status is returned either way;
// the caller judges it.
func waitStates(ctx context.Context, t *testing.T, name string, want map[string]string) (status, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		var st status
		out, err := podman(ctx, "exec", name, "kinit", "status", "--json")
		if err == nil {
			if err := json.Unmarshal([]byte(out), &st); err != nil {
				t.Fatalf("kinit status --json: %v\n%s", err, out)
			}
			if st.Ready && matches(st.states(), want) {
				return st, out
			}
		}
		select {
		case <-ctx.Done():
			return st, out
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func matches(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for id, state := range want {
		if got[id] != state {
			return false
		}
	}
	return true
}
