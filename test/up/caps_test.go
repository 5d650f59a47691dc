package up

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
)

// TestServiceCredentialsFromConfig runs a real kinit up on testdata/caps,
// started the way a permissive runtime may start it (capabilities left
// in the inheritable set, through setpriv), and reads each service's credentials from
// its own /proc/self/status. A root service with no capabilities must not
// get back through the inheritable set what the bounding set took away.
func TestServiceCredentialsFromConfig(t *testing.T) {
	n := newNode(t, "caps/kinit.toml")
	reports := filepath.Join(n.dir, "reports")
	if err := os.Mkdir(reports, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(reports, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{n.dir, filepath.Dir(n.dir)} {
		_ = os.Chmod(d, 0o755) // the uid 12345 service must reach reports/
	}
	n.env["KINIT_REPORT_DIR"] = reports
	n.wrap = []string{"setpriv", "--inh-caps=+chown,+kill,+net_bind_service", "--"}
	r := n.start(asChild)
	want := map[string]map[string]string{
		"app": {
			"Uid": "12345\t12345\t12345\t12345", "Gid": "12346\t12346\t12346\t12346", "Groups": "",
			"NoNewPrivs": "1", "CapInh": "0000000000000400", "CapPrm": "0000000000000400",
			"CapEff": "0000000000000400", "CapBnd": "0000000000000400", "CapAmb": "0000000000000400",
		},
		"plain": {
			"Uid": "0\t0\t0\t0", "NoNewPrivs": "1", "CapInh": "0000000000000000",
			"CapPrm": "0000000000000000", "CapEff": "0000000000000000",
			"CapBnd": "0000000000000000", "CapAmb": "0000000000000000",
		},
	}
	for id, fields := range want {
		path := filepath.Join(reports, id)
		waitUntil(t, "the report of "+id, func() bool {
			fi, err := os.Stat(path)
			return (err == nil && fi.Size() > 0) || r.exited()
		})
		got := readStatusFields(t, path)
		for k, v := range fields {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", id, k, got[k], v)
			}
		}
	}
}

func readStatusFields(t *testing.T, path string) map[string]string {
	t.Helper()
	return testkit.StatusFields(t, path)
}
