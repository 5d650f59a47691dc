// Package spare decides whether a cluster can spare one of its members for
// a restart: a configuration reload restarts a clustered service only when
// the rest of the cluster keeps serving without it. The decisions are pure
// (they read what the caller asked the cluster) so tables can test them;
// asking is up to the caller.
package spare

import (
	"fmt"
	"sort"
	"strings"
)

// ZooKeeper decides from the srvr mode of every ensemble member, by member
// id ("" for one that did not answer), whether member self may restart.
//
// Safe means the others keep a quorum (n/2+1 of the n voters) without it.
// Two nodes that both look at the same moment must not both go, so the
// rule is stricter than the quorum sum: every other member must be up and
// serving. Then a node whose peer is already restarting sees that peer
// down and waits. The residual race: two nodes checking within the same
// instant, before either has stopped, both see all peers up; the callers
// stagger their first checks by node id to keep them apart.
func ZooKeeper(self int, modes map[int]string) (ok bool, why string) {
	n := len(modes)
	if n <= 1 {
		return true, "" // standalone: nothing to keep
	}
	quorum := n/2 + 1
	var down []string
	up := 0
	for id, m := range modes {
		if id == self {
			continue
		}
		if serving(m) {
			up++
			continue
		}
		if m == "" {
			m = "no answer"
		}
		down = append(down, fmt.Sprintf("%d %s", id, m))
	}
	sort.Strings(down)
	switch {
	case up < quorum:
		return false, fmt.Sprintf("without it %d of %d zookeepers serve, quorum is %d", up, n, quorum)
	case len(down) > 0:
		return false, "zookeeper " + strings.Join(down, ", ") + " not serving"
	}
	return true, ""
}

func serving(mode string) bool { return mode == "leader" || mode == "follower" }

// Partition is what Kafka decides on: one partition's replicas and ISR.
type Partition struct {
	Topic    string
	ID       int32
	Replicas int
	ISR      int
}

// Kafka decides from a Metadata answer whether a broker may restart: the
// controller is known (-1 when not) and no partition has fewer in-sync
// replicas than replicas. A broker that restarts leaves its partitions
// under-replicated until it is back in sync, so a second broker checking
// meanwhile waits.
func Kafka(controller int32, parts []Partition) (ok bool, why string) {
	if controller < 0 {
		return false, "no controller known"
	}
	var under []string
	for _, p := range parts {
		if p.ISR < p.Replicas {
			under = append(under, fmt.Sprintf("%s-%d (isr %d of %d)", p.Topic, p.ID, p.ISR, p.Replicas))
		}
	}
	if len(under) == 0 {
		return true, ""
	}
	sort.Strings(under)
	if len(under) > 3 {
		under = append(under[:3], fmt.Sprintf("and %d more", len(under)-3))
	}
	return false, "under-replicated " + strings.Join(under, ", ")
}
