package roles

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// NewClusterID returns a fresh KRaft cluster id, made the way Kafka's
// Uuid.randomUuid makes one: a random (version 4) UUID in base64url
// without padding, 22 characters, never starting with '-' (the storage
// tool would read it as an option).
func NewClusterID() string {
	for {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic("cannot read random bytes: " + err.Error()) // the kernel's CSPRNG does not fail
		}
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
		if id := base64.RawURLEncoding.EncodeToString(b[:]); !strings.HasPrefix(id, "-") {
			return id
		}
	}
}

// CheckClusterID says what is wrong with a cluster id given by hand: Kafka
// takes 16 bytes in base64url without padding.
func CheckClusterID(id string) error {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(b) != 16 {
		return fmt.Errorf("cluster id %q is not 16 bytes in base64url without padding (22 characters; `kinit cluster-id` prints one)", id)
	}
	if strings.HasPrefix(id, "-") {
		return fmt.Errorf("cluster id %q starts with '-', which Kafka's tools would read as an option", id)
	}
	return nil
}
