package roles

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Fresh ids are Kafka's shape: 22 base64url characters for 16 bytes, a
// version-4 UUID, never a leading '-', all different; CheckClusterID takes
// them and refuses what Kafka would refuse.
func TestClusterID(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		id := NewClusterID()
		b, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(id) != 22 || len(b) != 16 || b[6]>>4 != 4 || b[8]>>6 != 2 || strings.HasPrefix(id, "-") {
			t.Fatalf("bad id %q (%x, %v)", id, b, err)
		}
		if seen[id] {
			t.Fatalf("id %q came twice", id)
		}
		seen[id] = true
		if err := CheckClusterID(id); err != nil {
			t.Fatal(err)
		}
	}
	// The id of Confluent's quick-start examples is one Kafka takes.
	if err := CheckClusterID("MkU3OEVBNTcwNTJENDM2Qk"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "abc", "MkU3OEVBNTcwNTJENDM2Q", "MkU3OEVBNTcwNTJENDM2Qg==", "-kU3OEVBNTcwNTJENDM2Qg", "MkU3OEVBNTcwNTJENDM2Q+"} {
		if CheckClusterID(bad) == nil {
			t.Errorf("CheckClusterID(%q) took it", bad)
		}
	}
}
