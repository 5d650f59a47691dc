package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/plan"
)

// KafkaZK passes when brokers have registered in ZooKeeper under
// /brokers/ids (below the connect string's chroot): BrokerID, when not
// nil, must be among them, and at least MinBrokers must be (at least one
// when both are unset).
type KafkaZK struct {
	Connect    string
	BrokerID   *int
	MinBrokers int
	// Replaces, with BrokerID, is the registration that existed before
	// the probed process started (the zero Registration: none); only
	// another one is the process's own. A broker killed with SIGKILL
	// leaves its ephemeral registration behind until its ZooKeeper session
	// expires, so without this a restarted broker would count as ready
	// before it even registered. Registrations are told apart by what
	// ZooKeeper assigns them, never by a clock: a clock stepped back
	// cannot make the new registration look older than the start, nor a
	// stepped-forward one make the stale one look newer.
	Replaces *Registration
	// Addr, when set, must accept a TCP connection too.
	Addr string
	// Unregistered inverts BrokerID: the check passes once no broker holds
	// that id, e.g. once the session of a killed broker has expired and a
	// new one can register without failing on NodeExists.
	Unregistered bool
	// ZKTLS, when set, is how every connection to ZooKeeper is made (a
	// secureClientPort); nil speaks plaintext. Addr's check stays TCP.
	ZKTLS *plan.TLS
}

func (p KafkaZK) String() string { return "brokers in " + p.Connect }

func (p KafkaZK) Check(ctx context.Context) error {
	d, err := newZKDialer(p.Connect, p.ZKTLS)
	if err != nil {
		return err
	}
	servers, chroot := ParseConnect(p.Connect)
	path := chroot + "/brokers/ids"
	if p.Unregistered && p.BrokerID != nil {
		if decided, err := mntrGate(ctx, d, p.Connect, servers); decided {
			return err
		}
	}
	err = withSession(ctx, d, p.Connect, servers, func(c *zk.Conn) error {
		if p.BrokerID != nil && (p.Unregistered || p.Replaces != nil) {
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
func mntrGate(ctx context.Context, d zkDialer, target string, servers []string) (decided bool, err error) {
	var last error
	for _, addr := range servers {
		reply, err := fourLetter(ctx, d, addr, "mntr")
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

// Registration names one broker registration (/brokers/ids/<id>) by what
// ZooKeeper assigns it: the zxid of the transaction that created the
// znode, unique in the ensemble, and the session that owns it.
type Registration struct {
	Czxid int64
	Owner int64 // ephemeralOwner: the broker's session
}

// checkRegistration reads one broker's registration znode.
func (p KafkaZK) checkRegistration(c *zk.Conn, znode string) error {
	ok, st, err := c.Exists(znode)
	if err != nil {
		return fail(p.Connect, "cannot read "+znode, err)
	}
	if !ok {
		st = nil
	}
	return p.judgeRegistration(st)
}

// judgeRegistration decides on the stat of the registration znode (nil:
// there is none).
func (p KafkaZK) judgeRegistration(st *zk.Stat) error {
	switch {
	case st == nil && p.Unregistered:
		return nil
	case st == nil:
		return fail(p.Connect, fmt.Sprintf("has no broker %d registered", *p.BrokerID), nil)
	case p.Unregistered:
		return fail(p.Connect, fmt.Sprintf("still has broker %d registered (a stale session expires after zookeeper.session.timeout.ms)", *p.BrokerID), nil)
	}
	if p.Replaces != nil && (Registration{Czxid: st.Czxid, Owner: st.EphemeralOwner}) == *p.Replaces {
		return fail(p.Connect, fmt.Sprintf("has only the registration of broker %d from before this process started (session %#x)", *p.BrokerID, st.EphemeralOwner), nil)
	}
	return nil
}

// KafkaKRaft passes when a Metadata request to the bootstrap servers lists
// the brokers asked for (same rules as KafkaZK).
type KafkaKRaft struct {
	Bootstrap  []string
	BrokerID   *int
	MinBrokers int
	// Security is how the client authenticates (nil: plaintext).
	Security *plan.Security
}

func (p KafkaKRaft) String() string { return joinTargets("", p.Bootstrap) }

func (p KafkaKRaft) Check(ctx context.Context) error {
	target := p.String()
	sec, err := kafkaOpts(target, p.Security)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(sec, kgo.SeedBrokers(p.Bootstrap...), kgo.MetadataMinAge(10*time.Millisecond))...)
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
