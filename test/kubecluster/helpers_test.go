package kubecluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/supervisor/probe"
)

// checkRestricted checks the namespace really enforces the restricted Pod
// Security Standard: the API server refuses a pod that runs as root.
func checkRestricted(ctx context.Context, t *testing.T, n ns) {
	t.Helper()
	const rootPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"kinit-psa-check"},
"spec":{"containers":[{"name":"c","image":"localhost/kinit:dev","securityContext":{"runAsUser":0}}]}}`
	out, err := n.kubectlStdin(ctx, rootPod, "create", "--dry-run=server", "-f", "-")
	if err == nil || !strings.Contains(out, "violates PodSecurity \"restricted") {
		t.Errorf("namespace %s admitted a root pod (or refused it for another reason): %v\n%s", n.name, err, out)
	}
}

// zkMode asks a ZooKeeper server for its mode with the srvr four-letter word.
func zkMode(ctx context.Context, t *testing.T, ip string) string {
	t.Helper()
	var last error
	for range 60 {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		reply, err := probe.FourLetter(actx, ip+":2181", "srvr")
		cancel()
		if err == nil {
			st, perr := probe.ParseSrvr(reply)
			if perr == nil {
				return st.Mode
			}
			err = perr
		}
		last = err
		time.Sleep(time.Second)
	}
	t.Fatalf("no mode from zookeeper %s: %v", ip, last)
	return ""
}

// props reads a properties file's entries (meta.properties: comments such
// as its timestamp line left out).
func props(text string) map[string]string {
	m := map[string]string{}
	for _, l := range javaprops.Lines(text) {
		if l.Entry {
			m[l.Key] = l.Value
		}
	}
	return m
}
