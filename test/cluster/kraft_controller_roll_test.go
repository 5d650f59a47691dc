package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/test/nethost"
)

// TestKRaftControllerRoll (issue 24): a secured quorum of three
// controllers and a broker; every controller's certificate is replaced at
// once, as a Secret update reaches every pod. A controller's listener
// cannot reload its keystore (KAFKA-20583), so each restarts, one at a
// time: each waits until the quorum can spare it (every other voter
// caught up with the leader). A watcher asking the quorum all along never
// sees fewer caught-up voters than a majority, every controller ends
// restarted with the new certificate, and the broker stays ready.
func TestKRaftControllerRoll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	names := []string{"ctl-1", "ctl-2", "ctl-3", "brk-4"}
	c := nethost.New(t, nethost.Config{Names: names})
	mark := milestones(t)
	fq := func(n string) string { return c.Host(n).FQDN }

	caDir := filepath.Join(t.TempDir(), "ca")
	if err := tlsdir.NewCA(caDir, "kinit test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	common := []string{"KINIT_CONFIG_ID=kraft-production", "KINIT_SECURITY=sasl_ssl", "KINIT_CLUSTER_ID=" + roles.NewClusterID(),
		"KINIT_NODES=" + fmt.Sprintf("controller=%s,%s,%s;broker=%s", fq("ctl-1"), fq("ctl-2"), fq("ctl-3"), fq("brk-4"))}
	var nodes []*node
	for _, name := range names {
		h := c.Host(name)
		for _, f := range []string{"ca.crt", "ca.key"} {
			copyFile(t, filepath.Join(caDir, f), filepath.Join(h.Dir, "tls", f))
		}
		pw := filepath.Join(h.Dir, "admin.password")
		if err := os.WriteFile(pw, []byte("roll-Admin-pw1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		role := "controller"
		if name == "brk-4" {
			role = "broker"
		}
		n := newNode(t, c, h, append(common, "KINIT_ROLE="+role, "KINIT_TLS_DIR="+filepath.Join(h.Dir, "tls"), "KINIT_ADMIN_PASSWORD_FILE="+pw)...)
		n.start(t)
		nodes = append(nodes, n)
	}
	before := map[string]int{}
	for _, n := range nodes {
		st := n.waitReady(ctx, t)
		if n.host.Name != "brk-4" {
			before[n.host.Name] = st.service("kraft-controller").Pid
		}
	}
	mark("secured quorum of three and a broker ready")

	// The watcher: a client certificate of the CA, asking each controller
	// (by its name) until the leader answers.
	client := filepath.Join(t.TempDir(), "client")
	if err := tlsdir.IssueTo(caDir, client, tlsdir.Identity{CommonName: "roll-watcher", Hosts: []string{"roll-watcher"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := &quorumWatch{min: 3}
	wctx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		for wctx.Err() == nil {
			w.ask(wctx, c, names[:3], client)
			time.Sleep(200 * time.Millisecond)
		}
	}()

	for _, name := range names[:3] {
		renewCert(t, c.Host(name), caDir)
	}
	for _, n := range nodes[:3] {
		n.waitStatus(ctx, t, "the controller restarted with the new certificate", func(s *status) bool {
			sv := s.service("kraft-controller")
			return sv.Ready && sv.Pid != before[n.host.Name] && sv.Pid != 0
		})
	}
	time.Sleep(2 * time.Second) // the watcher sees the last one caught up
	stopWatch()
	<-watchDone
	mark("every controller restarted for its new certificate")
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Logf("quorum watched %d times (%d unanswered, e.g. during an election): fewest caught-up voters %d of 3", w.asked, w.unanswered, w.min)
	if w.asked-w.unanswered < 10 || w.min < 2 {
		t.Errorf("the quorum fell below a majority during the roll (fewest caught up %d of 3, %d answers)", w.min, w.asked-w.unanswered)
	}
	if st, err := nodes[3].status(ctx); err != nil || !st.Ready {
		t.Errorf("the broker after the controllers' roll: %v %v", st, err)
	}
}

// renewCert replaces host h's certificate with a new one from the same
// CA, moved into place as a Secret update does.
func renewCert(t *testing.T, h *nethost.Host, caDir string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "renew-"+h.Name)
	if err := tlsdir.IssueTo(caDir, work, tlsdir.Identity{CommonName: h.FQDN, Hosts: []string{h.FQDN}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(h.Dir, "tls")
	for _, f := range []string{tlsdir.KeyFile, tlsdir.CertFile} {
		copyFile(t, filepath.Join(work, f), filepath.Join(dir, f+".new"))
		if err := os.Rename(filepath.Join(dir, f+".new"), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
}

// quorumWatch keeps the fewest caught-up voters seen.
type quorumWatch struct {
	mu                sync.Mutex
	min               int
	asked, unanswered int
}

func (w *quorumWatch) ask(ctx context.Context, c *nethost.Cluster, controllers []string, client string) {
	var q probe.Quorum
	var err error
	for _, name := range controllers {
		h := c.Host(name)
		sec := &plan.Security{TLS: &plan.TLS{CAFile: filepath.Join(client, tlsdir.CAFile), CertFile: filepath.Join(client, tlsdir.CertFile),
			KeyFile: filepath.Join(client, tlsdir.KeyFile), ServerName: h.FQDN}}
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		q, err = probe.DescribeQuorumWith(actx, []string{h.Addr.String() + ":9093"}, sec)
		cancel()
		if err == nil {
			break
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	w.asked++
	if err != nil || q.LeaderID < 0 {
		w.unanswered++
		return
	}
	up := 0
	for _, caught := range q.CaughtUp(5 * time.Second) {
		if caught {
			up++
		}
	}
	w.min = min(w.min, up)
}
