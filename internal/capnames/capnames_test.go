package capnames

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		name string
		num  uintptr
		ok   bool
	}{
		{"CAP_NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", 10, true},
		{"net_bind_service", "CAP_NET_BIND_SERVICE", 10, true},
		{" chown ", "CAP_CHOWN", 0, true},
		{"CAP_CHECKPOINT_RESTORE", "CAP_CHECKPOINT_RESTORE", 40, true},
		{"CAP_FLY", "", 0, false},
		{"10", "", 0, false},
	}
	for _, tt := range tests {
		name, num, err := Parse(tt.in)
		if (err == nil) != tt.ok || name != tt.name || num != tt.num {
			t.Errorf("Parse(%q) = %q, %d, %v; want %q, %d, ok=%v", tt.in, name, num, err, tt.name, tt.num, tt.ok)
		}
	}
}
