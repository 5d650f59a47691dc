package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// templateChange is one property changed in a template every node reads.
type templateChange struct {
	service  string // the service it restarts
	template string // its file under the config's templates/
	rendered string // what the node renders from it, under etc/kafka/
	key      string // the property
	from, to string // its value before and after
}

// rollTemplate makes the change under every node at once and writes to
// topic with acks=all, without a pause, until every node restarted the
// service with the new file. It checks that the nodes restarted it one at
// a time, each ready again before the next went, that every write went
// through, and that a node's file is rewritten only for its own restart.
// It returns what it wrote.
func rollTemplate(ctx context.Context, t *testing.T, nodes []*node, cm string, ch templateChange,
	p *kgo.Client, topic string, partitions int32) []string {
	t.Helper()
	restarts := map[int]int{}
	for i, n := range nodes {
		restarts[i] = n.waitReady(ctx, t).service(ch.service).Restarts
	}
	tmpl := filepath.Join(cm, "templates", ch.template)
	old, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(old), ch.key+"="+ch.from, ch.key+"="+ch.to, 1)
	if changed == string(old) {
		t.Fatalf("%s has no %s=%s to change", ch.template, ch.key, ch.from)
	}

	// Writes stop between two batches, never in the middle of one: a
	// record in flight when the roll ends would be written but not
	// counted.
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var written []string
	var writeErr error
	wg.Go(func() {
		for i := 0; wctx.Err() == nil; i++ {
			batch := values(fmt.Sprintf("rolling-%s-%d", ch.service, i), int(partitions))
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := produce(pctx, p, topic, partitions, batch)
			cancel()
			if err != nil {
				writeErr = fmt.Errorf("write %d during the roll of %s: %w", i, ch.service, err)
				return
			}
			written = append(written, batch...)
			time.Sleep(50 * time.Millisecond)
		}
	})

	next := tmpl + ".new"
	if err := os.WriteFile(next, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, tmpl); err != nil {
		t.Fatal(err)
	}
	type run struct {
		id             int
		started, ready time.Time
	}
	var runs []run
	for i, n := range nodes {
		st := n.waitStatus(ctx, t, ch.service+" restarted with the new settings", func(s *status) bool {
			sv := s.service(ch.service)
			return sv.Restarts > restarts[i] && sv.Ready
		})
		sv := st.service(ch.service)
		runs = append(runs, run{id: st.Node.ID, started: sv.StartedAt, ready: sv.ReadyAt})
		if v := readProps(t, filepath.Join(n.host.Dir, "etc", "kafka", ch.rendered))[ch.key]; v != ch.to {
			t.Errorf("%s: %s has %s=%q after its restart; want %s", n.host.Name, ch.rendered, ch.key, v, ch.to)
		}
		if i == 0 {
			// Node 3's turn is two staggers (30 s) away: its running
			// service still has the file it was started with.
			last := nodes[len(nodes)-1]
			if v := readProps(t, filepath.Join(last.host.Dir, "etc", "kafka", ch.rendered))[ch.key]; v != ch.from {
				t.Errorf("%s: %s rewritten (%s=%q) long before its own restart", last.host.Name, ch.rendered, ch.key, v)
			}
		}
	}
	stop()
	wg.Wait()

	if writeErr != nil {
		t.Error(writeErr)
	}
	if len(written) == 0 {
		t.Errorf("no write went through during the roll of %s", ch.service)
	}
	slices.SortFunc(runs, func(a, b run) int { return a.started.Compare(b.started) })
	for i := 1; i < len(runs); i++ {
		if runs[i].started.Before(runs[i-1].ready) {
			t.Errorf("%s %d restarted at %s, before %s %d was ready again (%s)", ch.service,
				runs[i].id, runs[i].started.Format(time.RFC3339Nano), ch.service, runs[i-1].id, runs[i-1].ready.Format(time.RFC3339Nano))
		}
	}
	for _, r := range runs {
		t.Logf("roll: %s %d restarted %s, ready %s", ch.service, r.id, r.started.Format("15:04:05.000"), r.ready.Format("15:04:05.000"))
	}
	t.Logf("roll of %s: %d records written", ch.service, len(written))
	return written
}
