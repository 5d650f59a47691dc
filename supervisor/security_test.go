package supervisor_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// Services run as their configured uid/gid, with no_new_privs and only the
// capabilities they list (bounding and ambient).
func TestCredentialsCapabilitiesNoNewPrivs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root to switch users (CI runs as root)")
	}
	dir := testkit.SharedTempDir(t, "kinit-creds-")
	nobody, nogroup := 65534, 65534
	tests := []struct {
		name string
		spec func(plan.Service) plan.Service
		want map[string]string // /proc/self/status field -> value
	}{
		{
			name: "nobody with one capability",
			spec: func(s plan.Service) plan.Service {
				s.UID, s.GID, s.Groups = &nobody, &nogroup, []int{4242}
				s.Capabilities = []string{"CAP_NET_BIND_SERVICE"}
				return s
			},
			want: map[string]string{
				"Uid": "65534\t65534\t65534\t65534", "Gid": "65534\t65534\t65534\t65534", "Groups": "4242",
				"NoNewPrivs": "1", "CapBnd": "0000000000000400", "CapAmb": "0000000000000400",
				"CapEff": "0000000000000400", "CapPrm": "0000000000000400",
			},
		},
		{
			name: "root without capabilities",
			spec: func(s plan.Service) plan.Service { return s },
			want: map[string]string{"Uid": "0\t0\t0\t0", "NoNewPrivs": "1", "CapBnd": "0000000000000000", "CapEff": "0000000000000000"},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := filepath.Join(dir, fmt.Sprintf("report-%d", i))
			s := tt.spec(svc("creds", "-report", report, "-exit-after", "0s"))
			s.Restart.Policy = plan.PolicyNever
			h := start(t, plan.Plan{Services: []plan.Service{s}})
			e, _ := h.rec.wait(t, 0, "creds", supervisor.EventExited)
			if e.ExitCode != 0 {
				t.Fatalf("creds exited %d; output:\n%s", e.ExitCode, h.out)
			}
			got := testkit.StatusFields(t, report)
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// An exec readiness probe runs with its service's uid, gid, groups,
// capabilities and no_new_privs, not as kinit (root, every capability).
func TestExecProbeRunsWithServiceCredentials(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root to switch users (CI runs as root)")
	}
	dir := testkit.SharedTempDir(t, "kinit-probe-creds-")
	report := filepath.Join(dir, "probe")
	nobody, nogroup := 65534, 65534
	s := svc("probed", "-exit-after", "1h")
	s.UID, s.GID, s.Groups = &nobody, &nogroup, []int{4242}
	s.Capabilities = []string{"CAP_NET_BIND_SERVICE"}
	s.Probe = &plan.Probe{Kind: plan.ProbeExec,
		Command:  []string{testprog, "-name", "probe", "-report", report, "-exit-after", "0s"},
		Interval: 50 * time.Millisecond, Timeout: 5 * time.Second, StartTimeout: time.Minute}
	h := start(t, plan.Plan{Services: []plan.Service{s}})
	h.rec.wait(t, 0, "probed", supervisor.EventReady)
	got := testkit.StatusFields(t, report)
	want := map[string]string{
		"Uid": "65534\t65534\t65534\t65534", "Gid": "65534\t65534\t65534\t65534", "Groups": "4242",
		"NoNewPrivs": "1", "CapInh": "0000000000000400", "CapPrm": "0000000000000400",
		"CapEff": "0000000000000400", "CapBnd": "0000000000000400", "CapAmb": "0000000000000400",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("probe %s: %q, want %q", k, got[k], v)
		}
	}
}
