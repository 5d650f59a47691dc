package nethost

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

var modeRe = regexp.MustCompile(`(?m)^Mode: (\w+)`)

// ZooKeeperMode asks the ZooKeeper server at addr (host:port) for its mode
// (leader, follower, standalone) with the srvr four-letter word.
func (c *Cluster) ZooKeeperMode(ctx context.Context, addr string) (string, error) {
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

// ZooKeeper opens a go-zookeeper session through the servers at addrs
// (host:port) and waits for it until ctx is done; the session is closed
// when the test ends. go-zookeeper resolves names itself, so it is handed
// the hosts' addresses.
func (c *Cluster) ZooKeeper(ctx context.Context, t testing.TB, addrs ...string) *zk.Conn {
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

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
