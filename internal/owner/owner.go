// Package owner is kinit's one user/group lookup: the credentials services
// run with (cmd/kinit) and the owners of rendered files and directories
// (macros) read config values the same way.
package owner

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"
)

// ID is a resolved user and group; -1 means not given (leave unchanged).
// Groups are the user's supplementary groups, nil when the user is unknown
// to /etc/passwd or not given.
type ID struct {
	UID, GID int
	Groups   []int
}

// Resolve reads a user ("name", "1000" or "1000:1000") and a group
// ("name" or "1000"); either may be empty. A group given separately wins
// over the one in the user.
func Resolve(userName, groupName string) (ID, error) {
	id := ID{UID: -1, GID: -1}
	if userName != "" {
		var err error
		if id, err = lookupUser(userName); err != nil {
			return id, err
		}
	}
	if groupName != "" {
		gid, err := lookupGroup(groupName)
		if err != nil {
			return id, err
		}
		id.GID = gid
	}
	return id, nil
}

func lookupUser(s string) (ID, error) {
	id := ID{UID: -1, GID: -1}
	us, gs, pair := strings.Cut(s, ":")
	if pair {
		uid, err1 := number(us)
		gid, err2 := number(gs)
		if err1 != nil || err2 != nil {
			return id, fmt.Errorf("user %q is not uid:gid in numbers", s)
		}
		id.UID, id.GID = uid, gid
		// A known uid still brings its supplementary groups.
		if u, err := user.LookupId(us); err == nil {
			id.Groups = groups(u)
		}
		return id, nil
	}
	if uid, err := number(s); err == nil {
		id.UID, id.GID = uid, uid
		if u, err := user.LookupId(s); err == nil {
			id.GID, _ = strconv.Atoi(u.Gid)
			id.Groups = groups(u)
		}
		return id, nil
	}
	u, err := user.Lookup(s)
	if err != nil {
		return id, fmt.Errorf("unknown user %q", s)
	}
	id.UID, _ = strconv.Atoi(u.Uid)
	id.GID, _ = strconv.Atoi(u.Gid)
	id.Groups = groups(u)
	return id, nil
}

func lookupGroup(s string) (int, error) {
	if gid, err := number(s); err == nil {
		return gid, nil
	}
	g, err := user.LookupGroup(s)
	if err != nil {
		return -1, fmt.Errorf("unknown group %q", s)
	}
	return strconv.Atoi(g.Gid)
}

// groups lists u's supplementary groups, without its primary group (that
// one is the gid already). Empty, not nil, for a known user without any:
// the caller must clear the groups kinit holds.
func groups(u *user.User) []int {
	out := []int{}
	ids, err := u.GroupIds()
	if err != nil {
		return out
	}
	for _, g := range ids {
		if g == u.Gid {
			continue
		}
		if n, err := strconv.Atoi(g); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func number(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return -1, fmt.Errorf("not a number: %q", s)
	}
	return n, nil
}
