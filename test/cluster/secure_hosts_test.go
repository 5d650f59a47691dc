package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/nethost"
)

// secureKRaft is a secured kraft-production cluster on the hosts of c:
// hosts named ctl-* are controllers, the others brokers. Each mounts a
// TLS dir holding a test CA (ca.crt, ca.key: it issues its own
// certificate at start, as from kinit's development CA) and the admin
// password in a file.
type secureKRaft struct {
	caDir    string
	password string
	nodes    []*node
}

// startSecureKRaft starts every host of c with the environment above
// plus extra(name) and returns without waiting for them.
func startSecureKRaft(t *testing.T, c *nethost.Cluster, password string, extra func(name string) []string) *secureKRaft {
	t.Helper()
	k := &secureKRaft{caDir: filepath.Join(t.TempDir(), "ca"), password: password}
	testCA(t, k.caDir)
	var ctls, brks []string
	for _, h := range c.Hosts {
		if strings.HasPrefix(h.Name, "ctl-") {
			ctls = append(ctls, h.FQDN)
		} else {
			brks = append(brks, h.FQDN)
		}
	}
	common := []string{"KINIT_CONFIG_ID=kraft-production", "KINIT_SECURITY=sasl_ssl", "KINIT_CLUSTER_ID=" + roles.NewClusterID(),
		"KINIT_NODES=" + fmt.Sprintf("controller=%s;broker=%s", strings.Join(ctls, ","), strings.Join(brks, ","))}
	for _, h := range c.Hosts {
		tls := filepath.Join(h.Dir, "tls")
		for _, f := range []string{tlsdir.CAFile, tlsdir.CAKeyFile} {
			copyFile(t, filepath.Join(k.caDir, f), filepath.Join(tls, f))
		}
		pw := filepath.Join(h.Dir, "admin.password")
		if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		role := "broker"
		if strings.HasPrefix(h.Name, "ctl-") {
			role = "controller"
		}
		env := append(append([]string{"KINIT_ROLE=" + role, "KINIT_TLS_DIR=" + tls, "KINIT_ADMIN_PASSWORD_FILE=" + pw}, common...), extra(h.Name)...)
		n := newNode(t, c, h, env...)
		n.start(t)
		k.nodes = append(k.nodes, n)
	}
	return k
}
