package service

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"
)

// BrokersFromZooKeeper reads the PLAINTEXT endpoints of the brokers
// registered under /brokers/ids, for configurations that name only a
// ZooKeeper connect string (Schema Registry's kafkastore.connection.url from
// the ZooKeeper era). connect may carry a chroot ("h1:2181,h2:2181/kafka").
func BrokersFromZooKeeper(connect string, timeout time.Duration) ([]string, error) {
	hosts, chroot := connect, ""
	if i := strings.Index(connect, "/"); i >= 0 {
		hosts, chroot = connect[:i], strings.TrimSuffix(connect[i:], "/")
	}
	var servers []string
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			servers = append(servers, h)
		}
	}
	if len(servers) == 0 {
		return nil, fmt.Errorf("zookeeper connect string %q names no servers", connect)
	}
	conn, events, err := zk.Connect(servers, timeout, zk.WithLogInfo(false), zk.WithLogger(nopLogger{}))
	if err != nil {
		return nil, fmt.Errorf("cannot connect to zookeeper %s: %w", hosts, err)
	}
	defer conn.Close()
	if err := awaitSession(events, timeout); err != nil {
		return nil, fmt.Errorf("cannot connect to zookeeper %s: %w", hosts, err)
	}
	ids, _, err := conn.Children(chroot + "/brokers/ids")
	if err != nil {
		return nil, fmt.Errorf("cannot list %s/brokers/ids: %w", chroot, err)
	}
	sort.Strings(ids)
	var addrs []string
	for _, id := range ids {
		data, _, err := conn.Get(chroot + "/brokers/ids/" + id)
		if err != nil {
			return nil, fmt.Errorf("cannot read broker %s: %w", id, err)
		}
		var reg struct {
			Endpoints []string `json:"endpoints"`
		}
		if err := json.Unmarshal(data, &reg); err != nil {
			return nil, fmt.Errorf("cannot parse broker %s registration: %w", id, err)
		}
		for _, ep := range reg.Endpoints {
			if strings.HasPrefix(ep, "PLAINTEXT://") {
				addrs = append(addrs, strings.TrimPrefix(ep, "PLAINTEXT://"))
			}
		}
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("no broker with a PLAINTEXT endpoint is registered in zookeeper %s", connect)
	}
	return addrs, nil
}

func awaitSession(events <-chan zk.Event, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no session within %s", timeout)
		}
	}
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
