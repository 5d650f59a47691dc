package owner

import (
	"slices"
	"testing"
)

// root and 12345 (unknown to any test machine's /etc/passwd) are the only
// ids assumed.
func TestResolve(t *testing.T) {
	tests := []struct {
		user, group string
		uid, gid    int
		groups      []int
		ok          bool
	}{
		{"12345:12346", "", 12345, 12346, nil, true},
		{"12345", "", 12345, 12345, nil, true},
		{"12345:12346", "7", 12345, 7, nil, true},
		{"root", "", 0, 0, []int{}, true},
		{"0:0", "", 0, 0, []int{}, true},
		{"", "12", -1, 12, nil, true},
		{"12345:", "", 0, 0, nil, false},
		{"a:b", "", 0, 0, nil, false},
		{"no-such-user-kinit", "", 0, 0, nil, false},
		{"", "no-such-group-kinit", 0, 0, nil, false},
	}
	for _, tt := range tests {
		id, err := Resolve(tt.user, tt.group)
		if (err == nil) != tt.ok {
			t.Errorf("Resolve(%q, %q): err %v, want ok=%v", tt.user, tt.group, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		if id.UID != tt.uid || id.GID != tt.gid || (tt.groups == nil) != (id.Groups == nil) {
			t.Errorf("Resolve(%q, %q) = %+v, want uid %d gid %d groups %v", tt.user, tt.group, id, tt.uid, tt.gid, tt.groups)
		}
		if tt.groups != nil && slices.Contains(id.Groups, id.GID) {
			t.Errorf("Resolve(%q): primary gid among supplementary groups %v", tt.user, id.Groups)
		}
	}
}
