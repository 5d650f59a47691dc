package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
)

// The status section follows tls.crt as it is replaced, and warns from 30
// days before it expires.
func TestCertView(t *testing.T) {
	dir := t.TempDir()
	if err := tlsdir.NewCA(dir, "test CA", time.Now().Add(-400*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	issue := func(at time.Time) {
		t.Helper()
		for _, f := range []string{tlsdir.CertFile, tlsdir.KeyFile} {
			_ = os.Remove(filepath.Join(dir, f))
		}
		if _, err := tlsdir.Issue(dir, tlsdir.Identity{CommonName: "b-1.example", Hosts: []string{"b-1.example"}}, at); err != nil {
			t.Fatal(err)
		}
	}
	issue(time.Now())
	v := &certView{path: filepath.Join(dir, tlsdir.CertFile)}
	first := v.current()
	if first["subject"] != "b-1.example" || first["serial"] == "" || first["warning"] != "" || !strings.HasPrefix(first["expires_in"], "36") {
		t.Errorf("a fresh certificate: %v", first)
	}
	issue(time.Now().Add(-345 * 24 * time.Hour)) // a year's certificate, 20 days left
	second := v.current()
	if second["serial"] == first["serial"] || !strings.Contains(second["warning"], "expires in less than 30 days") {
		t.Errorf("after the replacement: %v", second)
	}
	if err := os.Remove(v.path); err != nil {
		t.Fatal(err)
	}
	if got := v.current(); got["error"] == "" {
		t.Errorf("a missing certificate: %v", got)
	}
}
