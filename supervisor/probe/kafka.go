package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaZK passes when brokers have registered in ZooKeeper under
// /brokers/ids (below the connect string's chroot): BrokerID, when not
// nil, must be among them, and at least MinBrokers must be (at least one
// when both are unset).
type KafkaZK struct {
	Connect    string
	BrokerID   *int
	MinBrokers int
	// Since, with BrokerID, requires the registration to have been written
	// at or after it. A broker killed with SIGKILL leaves its ephemeral
	// registration behind until its ZooKeeper session expires, so without
	// this a restarted broker would count as ready before it even
	// registered. The broker stamps the registration with its own clock,
	// the clock of the machine that set Since, so there is no skew.
	Since time.Time
	// Addr, when set, must accept a TCP connection too.
	Addr string
	// Unregistered inverts BrokerID: the check passes once no broker holds
	// that id, e.g. once the session of a killed broker has expired and a
	// new one can register without failing on NodeExists.
	Unregistered bool
}

func (p KafkaZK) String() string { return "brokers in " + p.Connect }

func (p KafkaZK) Check(ctx context.Context) error {
	servers, chroot := ParseConnect(p.Connect)
	path := chroot + "/brokers/ids"
	if p.Unregistered && p.BrokerID != nil {
		if decided, err := mntrGate(ctx, p.Connect, servers); decided {
			return err
		}
	}
	err := withSession(ctx, p.Connect, servers, func(c *zk.Conn) error {
		if p.BrokerID != nil && (p.Unregistered || !p.Since.IsZero()) {
			return p.checkRegistration(c, fmt.Sprintf("%s/%d", path, *p.BrokerID))
		}
		ids, _, err := c.Children(path)
		if err != nil && err != zk.ErrNoNode {
			return fail(p.Connect, "cannot list "+path, err)
		}
		var nums []int
		for _, id := range ids {
			if n, err := strconv.Atoi(id); err == nil {
				nums = append(nums, n)
			}
		}
		return brokersPresent(p.Connect, nums, p.BrokerID, p.MinBrokers)
	})
	if err != nil || p.Addr == "" {
		return err
	}
	return TCP{Addr: p.Addr}.Check(ctx)
}

// mntrGate answers the Unregistered gate from the servers' mntr replies
// where it can, without a session. decided with a nil error: a serving
// server's data tree holds no ephemeral znode at all, so no broker is
// registered. decided with an error: no server serves yet (not listening,
// or no quorum); a session could not do better, and go-zookeeper's own
// reconnect pause (a second) would hold the next attempt back. Not
// decided (mntr not whitelisted, or ephemerals exist): a session reads
// the registration itself.
func mntrGate(ctx context.Context, target string, servers []string) (decided bool, err error) {
	var last error
	for _, addr := range servers {
		reply, err := FourLetter(ctx, addr, "mntr")
		if err != nil {
			last = err
			continue
		}
		m, err := ParseMntr(reply)
		switch {
		case errors.Is(err, ErrNotServing):
			last = fail(addr, "not serving (no quorum)", nil)
		case err != nil:
			return false, nil
		case !(Srvr{Mode: m.State}).Serving():
			last = fail(addr, "in mode "+m.State, nil)
		case m.Ephemerals == 0:
			return true, nil
		default:
			return false, nil
		}
	}
	if last == nil {
		last = fail(target, "names no server", nil)
	}
	return true, last
}

// checkRegistration reads one broker's registration znode.
func (p KafkaZK) checkRegistration(c *zk.Conn, znode string) error {
	data, _, err := c.Get(znode)
	switch {
	case err == zk.ErrNoNode && p.Unregistered:
		return nil
	case err == zk.ErrNoNode:
		return fail(p.Connect, fmt.Sprintf("has no broker %d registered", *p.BrokerID), nil)
	case err != nil:
		return fail(p.Connect, "cannot read "+znode, err)
	case p.Unregistered:
		return fail(p.Connect, fmt.Sprintf("still has broker %d registered (a stale session expires after zookeeper.session.timeout.ms)", *p.BrokerID), nil)
	}
	at, err := registeredAt(data)
	if err != nil {
		return fail(p.Connect, "has an unreadable registration "+znode, err)
	}
	if at.Before(p.Since.Truncate(time.Millisecond)) {
		return fail(p.Connect, fmt.Sprintf("has only an older registration of broker %d (from %s)", *p.BrokerID, at.Format(time.RFC3339)), nil)
	}
	return nil
}

// registeredAt is the "timestamp" (milliseconds since the epoch, as a JSON
// string) Kafka writes into /brokers/ids/<id>.
func registeredAt(data []byte) (time.Time, error) {
	var reg struct {
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(data, &reg); err != nil {
		return time.Time{}, err
	}
	ms, err := strconv.ParseInt(reg.Timestamp, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", reg.Timestamp, err)
	}
	return time.UnixMilli(ms), nil
}

// KafkaKRaft passes when a Metadata request to the bootstrap servers lists
// the brokers asked for (same rules as KafkaZK).
type KafkaKRaft struct {
	Bootstrap  []string
	BrokerID   *int
	MinBrokers int
}

func (p KafkaKRaft) String() string { return joinTargets("", p.Bootstrap) }

func (p KafkaKRaft) Check(ctx context.Context) error {
	target := p.String()
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.Bootstrap...), kgo.MetadataMinAge(10*time.Millisecond))
	if err != nil {
		return fail(target, "cannot build a client", err)
	}
	defer cl.Close()
	m, err := kadm.NewClient(cl).BrokerMetadata(ctx)
	if err != nil {
		return dialFailure(target, err)
	}
	var nums []int
	for _, b := range m.Brokers {
		nums = append(nums, int(b.NodeID))
	}
	return brokersPresent(target, nums, p.BrokerID, p.MinBrokers)
}

func brokersPresent(target string, ids []int, want *int, minBrokers int) error {
	if want != nil && !slices.Contains(ids, *want) {
		return fail(target, fmt.Sprintf("has no broker %d registered (%d registered)", *want, len(ids)), nil)
	}
	if minBrokers == 0 && want == nil {
		minBrokers = 1
	}
	if len(ids) < minBrokers {
		return fail(target, fmt.Sprintf("has %d of %d brokers registered", len(ids), minBrokers), nil)
	}
	return nil
}
