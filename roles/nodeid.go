package roles

import (
	"fmt"
	"strconv"
)

// Node ids follow one rule wherever they come from (KINIT_NODE_ID,
// KAFKA_NODE_ID, the persisted id file, an explicit id@host, a hostname
// ordinal plus offset, a position in the member list): 0..MaxNodeID.
// ZooKeeper's own 1..255 is checked for its members on top (checkMembers).

// ParseNodeID reads a node id written as a decimal number.
func ParseNodeID(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > MaxNodeID {
		return 0, fmt.Errorf("not a node id (a number 0..%d)", MaxNodeID)
	}
	return int(n), nil
}

// validNodeID reports whether id is within the node id range.
func validNodeID(id int) bool { return id >= 0 && id <= MaxNodeID }

// offsetID is a hostname ordinal plus its offset (never negative, at most
// MaxNodeID: load checks it). An ordinal already beyond the range is
// kept as it is, to be reported, rather than summed into an overflow.
func offsetID(ordinal, offset int) int {
	if ordinal > MaxNodeID {
		return ordinal
	}
	return ordinal + offset
}
