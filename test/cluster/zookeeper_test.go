package cluster

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kinit/kinit/test/nethost"
)

var modeRe = regexp.MustCompile(`(?m)^Mode: (\w+)`)

// zkMode asks a ZooKeeper server for its mode (leader, follower,
// standalone) with the srvr four-letter word.
func zkMode(ctx context.Context, c *nethost.Cluster, addr string) (string, error) {
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := c.DialContext(dctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(conn, "srvr"); err != nil {
		return "", err
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return "", err
	}
	m := modeRe.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("no mode in %q", out)
	}
	return string(m[1]), nil
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// zkSession opens a go-zookeeper session to the given host:port names and
// waits for it. go-zookeeper resolves names itself, so it gets the hosts'
// addresses.
func zkSession(ctx context.Context, t testing.TB, c *nethost.Cluster, addrs ...string) *zk.Conn {
	t.Helper()
	var servers []string
	for _, a := range addrs {
		servers = append(servers, c.HostPort(a))
	}
	conn, events, err := zk.Connect(servers, 10*time.Second, zk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return conn
			}
		case <-ctx.Done():
			t.Fatalf("no zookeeper session through %v", addrs)
		}
	}
}

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
