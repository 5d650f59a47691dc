package up

import (
	"os"
	"path/filepath"
	"strconv"
)

// imageUID is the uid and gid the image runs kinit and every service as
// (Dockerfile: USER 1000:1000).
const imageUID = 1000

// asImageUser runs kinit, and so its services, as the image does: one
// non-root uid for all, with no capabilities. The config is copied into
// the node's directory, which is handed to that uid, and the test's temp
// directories above it are made traversable, so nothing depends on the
// permissions of the checkout.
func (n *node) asImageUser() *node {
	t := n.t
	t.Helper()
	for d := filepath.Dir(n.dir); d != filepath.Dir(d) && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(n.config)
	if err != nil {
		t.Fatal(err)
	}
	n.config = filepath.Join(n.dir, "kinit.toml")
	if err := os.WriteFile(n.config, data, 0o644); err != nil {
		t.Fatal(err)
	}
	n.env["KINIT_CONFIG"] = n.config
	if err := os.Chown(n.dir, imageUID, imageUID); err != nil {
		t.Fatal(err)
	}
	id := strconv.Itoa(imageUID)
	n.wrap = []string{"setpriv", "--reuid", id, "--regid", id, "--clear-groups", "--inh-caps=-all", "--"}
	return n
}
