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
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/test/nethost"
)

// TestKRaftControllerRoll (issue 24): a secured quorum of three
// controllers and a broker; every controller's certificate is replaced at
// once, as a Secret update reaches every pod. A controller's listener
// cannot reload its keystore (KAFKA-20583), so each restarts, one at a
// time: each waits until the quorum can spare it (every other voter
// caught up with the leader), after a stagger by node id. No two are out
// of the quorum at once (their logs' restart-to-ready spans do not
// overlap), a watcher asking the quorum all along never sees fewer
// caught-up voters than a majority, every controller ends restarted with
// the new certificate, and the broker stays ready.
func TestKRaftControllerRoll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	names := []string{"ctl-1", "ctl-2", "ctl-3", "brk-4"}
	c := nethost.New(t, nethost.Config{Names: names})
	mark := milestones(t)

	k := startSecureKRaft(t, c, "roll-Admin-pw1", func(string) []string { return nil })
	caDir, nodes := k.caDir, k.nodes
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
	t.Logf("quorum watched %d times (%d unanswered, e.g. during an election): fewest caught-up voters %d of 3 (%s)", w.asked, w.unanswered, w.min, w.worst)
	if w.asked-w.unanswered < 10 || w.min < 2 {
		t.Errorf("the quorum fell below a majority during the roll (fewest caught up %d of 3, %d answers)", w.min, w.asked-w.unanswered)
	}
	// One at a time: each controller's time out of the quorum, from its
	// stop for the new certificate to ready again, overlaps no other's.
	type span struct {
		name       string
		from, till time.Time
	}
	var spans []span
	for _, n := range nodes[:3] {
		sp := span{name: n.host.Name}
		for _, l := range kinitLog(n.proc.Output()) {
			at, _ := time.Parse(time.RFC3339Nano, l.Attrs["time"])
			switch {
			case l.Msg == `service "kraft-controller" updated; restarting it`:
				sp.from = at
			case l.Msg == `service "kraft-controller" is ready again after the config change`:
				sp.till = at
			}
		}
		if sp.from.IsZero() || sp.till.Before(sp.from) {
			t.Fatalf("%s: no restart for the new certificate in its log: %+v", n.host.Name, sp)
		}
		spans = append(spans, sp)
	}
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if a.from.Before(b.till) && b.from.Before(a.till) {
				t.Errorf("%s (%s..%s) and %s (%s..%s) were out of the quorum at the same time", a.name, a.from.Format(time.StampMilli),
					a.till.Format(time.StampMilli), b.name, b.from.Format(time.StampMilli), b.till.Format(time.StampMilli))
			}
		}
		t.Logf("%s out of the quorum %s..%s", a.name, a.from.Format(time.StampMilli), a.till.Format(time.StampMilli))
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

// quorumWatch keeps the fewest caught-up voters seen. A new leader knows
// nothing of its followers until each fetches from it, so the answers of
// an epoch's first two seconds are not counted: they would show the
// followers behind while the quorum has them all.
type quorumWatch struct {
	mu                sync.Mutex
	min               int
	asked, unanswered int
	epoch             int
	since             time.Time
	worst             string
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
	if q.LeaderEpoch != w.epoch {
		w.epoch, w.since = q.LeaderEpoch, time.Now()
	}
	if time.Since(w.since) < 2*time.Second {
		return
	}
	if up < w.min {
		w.min, w.worst = up, fmt.Sprintf("%+v", q)
	}
}
