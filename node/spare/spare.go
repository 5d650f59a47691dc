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

// Voter is one voter of a KRaft controller quorum as its leader sees it.
type Voter struct {
	ID int
	// CaughtUp: the leader itself, or a follower that has fetched up to
	// the leader's log end recently.
	CaughtUp bool
}

// KRaft decides from a DescribeQuorum answer whether voter self may
// restart: a leader is known and every other voter is caught up, so the
// rest keep a majority without it. As for ZooKeeper the rule is stricter
// than the majority sum: a controller whose peer is restarting sees that
// peer behind and waits.
func KRaft(self, leader int, voters []Voter) (ok bool, why string) {
	if len(voters) <= 1 {
		return true, "" // a single voter: nothing to keep
	}
	if leader < 0 {
		return false, "the controller quorum has no leader"
	}
	majority := len(voters)/2 + 1
	var behind []string
	up := 0
	for _, v := range voters {
		if v.ID == self {
			continue
		}
		if v.CaughtUp {
			up++
			continue
		}
		behind = append(behind, fmt.Sprint(v.ID))
	}
	sort.Strings(behind)
	switch {
	case up < majority:
		return false, fmt.Sprintf("without it %d of %d controllers are caught up, a majority is %d", up, len(voters), majority)
	case len(behind) > 0:
		return false, "controller " + strings.Join(behind, ", ") + " not caught up with the leader"
	}
	return true, ""
}
