// The node's certificate as `kinit status` shows it: which one the TLS dir
// holds now (what a reload renders), and a warning from 30 days before it
// expires.

package node

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kinit/kinit/internal/safefs"
	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/supervisor"
	"golang.org/x/sys/unix"
)

// certView reads tls.crt again only when it changed (size and mtime), so
// a status costs a stat.
type certView struct {
	path string

	mu     sync.Mutex
	stamp  string
	fields map[string]string
}

// addTLSSection shows the node's certificate on a secured node.
func addTLSSection(sup *supervisor.Supervisor, np *Rendered) {
	if np == nil || np.Node == nil || !np.Node.Security.Secure() {
		return
	}
	v := &certView{path: filepath.Join(np.Node.Security.TLSDir, tlsdir.CertFile)}
	sup.AddSection("tls", v.current)
}

func (v *certView) current() map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	stamp := fileStamp(v.path)
	if stamp == "" || stamp != v.stamp {
		v.stamp, v.fields = stamp, certFields(v.path)
	}
	out := make(map[string]string, len(v.fields)+1)
	for k, val := range v.fields {
		out[k] = val
	}
	if na, err := time.Parse(time.RFC3339, v.fields["not_after"]); err == nil {
		left := time.Until(na)
		out["expires_in"] = fmt.Sprintf("%dd", int(left.Hours()/24))
		if left < macros.ExpiryWarning {
			out["warning"] = "expires in less than 30 days: replace " + v.path + " (kinit reloads it)"
		}
	}
	return out
}

// certFields describes the leaf certificate of path; an "error" field when
// it cannot be read.
func certFields(path string) map[string]string {
	data, err := safefs.ReadRegular(path, 1<<20)
	if err != nil {
		return map[string]string{"cert": path, "error": "cannot read it"}
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return map[string]string{"cert": path, "error": "no PEM certificate"}
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return map[string]string{"cert": path, "error": "not a certificate"}
	}
	return map[string]string{
		"cert":      path,
		"subject":   c.Subject.CommonName,
		"serial":    strings.ToUpper(c.SerialNumber.Text(16)),
		"not_after": c.NotAfter.UTC().Format(time.RFC3339),
	}
}

// fileStamp changes when the file at path (a symlink followed, as a Secret
// volume's are) is replaced or rewritten; "" when it cannot be stat'd.
func fileStamp(path string) string {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d:%d.%d", st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec)
}
