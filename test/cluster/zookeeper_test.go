package cluster

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// brokerIDs lists /brokers/ids, sorted numerically.
func brokerIDs(conn *zk.Conn) ([]int, error) {
	kids, _, err := conn.Children("/brokers/ids")
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, k := range kids {
		n, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("odd broker id %q", k)
		}
		ids = append(ids, n)
	}
	slices.Sort(ids)
	return ids, nil
}

// waitBrokers waits until exactly want are registered.
func waitBrokers(ctx context.Context, t testing.TB, conn *zk.Conn, want ...int) {
	t.Helper()
	var got []int
	var err error
	for {
		got, err = brokerIDs(conn)
		if err == nil && slices.Equal(got, want) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("brokers registered in zookeeper: %v (%v), want %v", got, err, want)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// registration is the session that owns a broker's ephemeral znode.
func registration(conn *zk.Conn, id int) (int64, error) {
	_, st, err := conn.Get(fmt.Sprintf("/brokers/ids/%d", id))
	if err != nil {
		return 0, err
	}
	return st.EphemeralOwner, nil
}
