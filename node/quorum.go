// The KRaft quorum as `kinit status` shows it.

package node

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/probe"
)

// quorumMaxAge is how old the shown quorum may be before a status asks
// again; quorumAskTimeout bounds one DescribeQuorum.
const (
	quorumMaxAge     = 2 * time.Second
	quorumAskTimeout = 3 * time.Second
)

// quorumView keeps the last DescribeQuorum answer for the status section.
// Snapshot calls its fields on any goroutine, the supervisor's loop
// included, so they never wait on the network: a stale answer starts one
// refresh in the background and is shown meanwhile with its age. Nothing
// is asked while nobody looks, so an idle kinit stays idle.
type quorumView struct {
	seeds []string
	sec   *plan.Security

	mu     sync.Mutex
	q      probe.Quorum
	err    error
	at     time.Time
	asking bool
}

// quorumSeeds are the endpoints a KRaft node asks: its own KRaft
// process first (a broker forwards to the leader), then the controllers.
// On a secured node only the controllers, whose listener the one
// security asked with (mutual TLS) fits. Nil outside KRaft mode.
func quorumSeeds(np *Rendered) []string {
	if np == nil || np.Node == nil || np.Rendering == nil || !np.Node.KRaft() {
		return nil
	}
	var seeds []string
	for _, s := range np.Rendering.Services {
		if np.Rendering.QuorumSecurity != nil {
			break
		}
		if p := s.Probe; p != nil && p.Kind == plan.ProbeKafka && p.Mode.KRaft() && p.Address != "" {
			seeds = append(seeds, p.Address)
		}
	}
	if v, ok := np.Rendering.Macros["CONTROLLER_QUORUM_BOOTSTRAP_SERVERS"]; ok && v != "" {
		seeds = append(seeds, strings.Split(v, ",")...)
	}
	return seeds
}

// addQuorumSection shows the quorum in `kinit status` on a KRaft node.
func addQuorumSection(sup *supervisor.Supervisor, np *Rendered) {
	seeds := quorumSeeds(np)
	if len(seeds) == 0 {
		return
	}
	v := &quorumView{seeds: seeds, sec: np.Rendering.QuorumSecurity}
	sup.AddSection("kraft quorum", v.fields)
}

func (v *quorumView) fields() map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.asking && time.Since(v.at) > quorumMaxAge {
		v.asking = true
		go v.refresh()
	}
	if v.at.IsZero() {
		return map[string]string{"state": "asking " + strings.Join(v.seeds, ",")}
	}
	age := time.Since(v.at).Round(time.Second).String()
	if v.err != nil {
		return map[string]string{"state": "unknown", "error": probe.Summary(v.err), "as_of": age + " ago"}
	}
	f := map[string]string{"leader": strconv.Itoa(v.q.LeaderID), "epoch": strconv.Itoa(v.q.LeaderEpoch),
		"voters": ints(v.q.Voters), "high_watermark": strconv.FormatInt(v.q.HighWatermark, 10), "as_of": age + " ago"}
	if v.q.LeaderID < 0 {
		f["leader"] = "none"
	}
	if len(v.q.Observers) > 0 {
		f["observers"] = ints(v.q.Observers)
	}
	return f
}

func (v *quorumView) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), quorumAskTimeout)
	defer cancel()
	q, err := probe.DescribeQuorumWith(ctx, v.seeds, v.sec)
	v.mu.Lock()
	v.q, v.err, v.at, v.asking = q, err, time.Now(), false
	v.mu.Unlock()
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
