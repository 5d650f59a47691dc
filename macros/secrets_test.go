package macros

import (
	"strings"
	"testing"

	"github.com/kinit/kinit/roles"
)

// A rendered file that receives a secret is at most 0600; one without keeps
// its template mode.
func TestSecretFilesNarrowed(t *testing.T) {
	p := plan(t, roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s",
		"KAFKA_SSL_KEYSTORE_PASSWORD": "hunter22"}, goldenLimits)
	for _, f := range p.Files {
		switch {
		case strings.HasSuffix(f.Dst, "/server.properties"):
			if f.Mode.Perm()&0o077 != 0 {
				t.Errorf("%s holds a password but is %o", f.Dst, f.Mode.Perm())
			}
		case strings.HasSuffix(f.Dst, "/zookeeper.properties"):
			if f.Mode.Perm() != 0o644 {
				t.Errorf("%s holds no secret but is %o", f.Dst, f.Mode.Perm())
			}
		}
	}
}
