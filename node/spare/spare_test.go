package spare

import (
	"strings"
	"testing"
)

func TestZooKeeper(t *testing.T) {
	for _, tc := range []struct {
		name  string
		self  int
		modes map[int]string
		ok    bool
		why   string
	}{
		{"standalone", 1, map[int]string{1: "standalone"}, true, ""},
		{"all up", 2, map[int]string{1: "follower", 2: "leader", 3: "follower"}, true, ""},
		{"self down, others up", 1, map[int]string{1: "", 2: "leader", 3: "follower"}, true, ""},
		{"peer restarting", 1, map[int]string{1: "follower", 2: "", 3: "leader"}, false, "without it 1 of 3 zookeepers serve, quorum is 2"},
		{"peer looking", 3, map[int]string{1: "leader", 2: "looking", 3: "follower"}, false, "quorum is 2"},
		// Five: without self and one down peer three still serve, a quorum,
		// but a second node seeing that same peer down must not go too.
		{"five, one peer down", 1, map[int]string{1: "follower", 2: "", 3: "leader", 4: "follower", 5: "follower"}, false, "zookeeper 2 no answer not serving"},
		{"five all up", 5, map[int]string{1: "follower", 2: "follower", 3: "leader", 4: "follower", 5: "follower"}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := ZooKeeper(tc.self, tc.modes)
			if ok != tc.ok || !strings.Contains(why, tc.why) || (tc.ok && why != "") {
				t.Errorf("ZooKeeper(%d, %v) = %v %q; want %v %q", tc.self, tc.modes, ok, why, tc.ok, tc.why)
			}
		})
	}
}

func TestKafka(t *testing.T) {
	full := []Partition{{"t", 0, 3, 3}, {"t", 1, 3, 3}}
	for _, tc := range []struct {
		name       string
		controller int32
		parts      []Partition
		ok         bool
		why        string
	}{
		{"in sync", 1, full, true, ""},
		{"no topics", 2, nil, true, ""},
		{"no controller", -1, full, false, "no controller known"},
		{"under-replicated", 1, []Partition{{"t", 0, 3, 3}, {"t", 1, 3, 2}}, false, "under-replicated t-1 (isr 2 of 3)"},
		{"many", 1, []Partition{{"a", 0, 3, 2}, {"a", 1, 3, 2}, {"a", 2, 3, 2}, {"a", 3, 3, 1}}, false, "and 1 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := Kafka(tc.controller, tc.parts)
			if ok != tc.ok || !strings.Contains(why, tc.why) || (tc.ok && why != "") {
				t.Errorf("Kafka(%d, %v) = %v %q; want %v %q", tc.controller, tc.parts, ok, why, tc.ok, tc.why)
			}
		})
	}
}

func TestKRaft(t *testing.T) {
	v := func(id int, up bool) Voter { return Voter{ID: id, CaughtUp: up} }
	for _, tt := range []struct {
		name   string
		self   int
		leader int
		voters []Voter
		ok     bool
		why    string
	}{
		{"single voter", 1, 1, []Voter{v(1, true)}, true, ""},
		{"all caught up", 2, 1, []Voter{v(1, true), v(2, true), v(3, true)}, true, ""},
		{"self behind does not matter", 2, 1, []Voter{v(1, true), v(2, false), v(3, true)}, true, ""},
		{"a peer restarting", 2, 1, []Voter{v(1, true), v(2, true), v(3, false)}, false, "without it 1 of 3 controllers are caught up, a majority is 2"},
		{"no leader", 2, -1, []Voter{v(1, true), v(2, true), v(3, true)}, false, "no leader"},
		{"five, two behind", 1, 1, []Voter{v(1, true), v(2, true), v(3, true), v(4, false), v(5, false)}, false, "without it 2 of 5"},
		{"five, one behind: a majority, yet wait", 1, 1, []Voter{v(1, true), v(2, true), v(3, true), v(4, true), v(5, false)}, false, "controller 5 not caught up"},
		{"two voters, the other behind", 1, 1, []Voter{v(1, true), v(2, false)}, false, "without it 0 of 2 controllers are caught up, a majority is 2"},
		{"two voters, both up", 2, 1, []Voter{v(1, true), v(2, true)}, false, "without it 1 of 2 controllers are caught up, a majority is 2"},
	} {
		ok, why := KRaft(tt.self, tt.leader, tt.voters)
		if ok != tt.ok || !strings.Contains(why, tt.why) {
			t.Errorf("%s: KRaft = %v %q; want %v %q", tt.name, ok, why, tt.ok, tt.why)
		}
	}
}
