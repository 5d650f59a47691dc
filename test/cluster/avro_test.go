package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A record {id: long, name: string} in Avro's binary encoding, written by
// hand: a long is a zig-zag varint, a string its length (a long) and bytes.
const userSchema = `{"type":"record","name":"User","namespace":"kinit.test","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`

type user struct {
	ID   int64
	Name string
}

func (u user) appendAvro(b []byte) []byte {
	b = binary.AppendVarint(b, u.ID)
	b = binary.AppendVarint(b, int64(len(u.Name)))
	return append(b, u.Name...)
}

func decodeUser(b []byte) (user, error) {
	var u user
	id, n := binary.Varint(b)
	if n <= 0 {
		return u, errors.New("bad id")
	}
	l, m := binary.Varint(b[n:])
	if m <= 0 || l < 0 || int(l) != len(b)-n-m {
		return u, fmt.Errorf("bad name length in %x", b)
	}
	u.ID, u.Name = id, string(b[n+m:])
	return u, nil
}
