// What the keepers of a secured node's cluster-wide state (client users,
// tenants) share: the local broker they wait for, and an admin client that
// speaks its listener as kinit's peers do.

package node

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/probe"
)

// brokerReadyPoll is how often a keeper looks whether the broker is ready.
const brokerReadyPoll = time.Second

// localBroker is the node's broker as an admin client reaches it: its
// service id, the node's FQDN on its port (requests may go to any broker:
// the client verifies each broker's own name), and the admin user's
// SASL_SSL credentials.
type localBroker struct {
	id   string
	addr string
	sec  *plan.Security
}

// findLocalBroker is the secured broker this node runs; false when it
// runs none (a controller, ZooKeeper, a registry node) or is plaintext.
func findLocalBroker(np *Rendered) (localBroker, bool) {
	if np == nil || np.Node == nil || np.Rendering == nil {
		return localBroker{}, false
	}
	for _, s := range np.Rendering.Services {
		port := s.Ports[""]
		if s.Kind != "kafka" || s.PeerSecurity == nil || s.PeerSecurity.SASL == nil || port == 0 {
			continue
		}
		return localBroker{id: s.ID, addr: net.JoinHostPort(np.Node.FQDN, strconv.Itoa(port)), sec: s.PeerSecurity.Clone()}, true
	}
	return localBroker{}, false
}

// waitReady waits until the broker is ready; false when ctx ends first.
func (b localBroker) waitReady(ctx context.Context, sup *supervisor.Supervisor) bool {
	t := time.NewTicker(brokerReadyPoll)
	defer t.Stop()
	for {
		for _, s := range sup.Snapshot().Services {
			if s.ID == b.id && s.Ready {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

// admin is an admin client of the cluster through the broker; close the
// returned client when done.
func (b localBroker) admin() (*kadm.Client, *kgo.Client, error) {
	opts, err := probe.KafkaClientOpts(b.addr, b.sec)
	if err != nil {
		return nil, nil, err
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(b.addr))...)
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl, nil
}

// keeperLoop is how a keeper follows its source: sync once the broker is
// ready, again once a change to dir has settled, and a failed sync again
// after a backoff doubling up to maxBackoff. Without a watch (no inotify
// left) it syncs at start only, and logs so as what.
func keeperLoop(ctx context.Context, sup *supervisor.Supervisor, b localBroker, log *slog.Logger, dir, what string,
	settle, maxBackoff time.Duration, sync func(context.Context) bool) {
	if !b.waitReady(ctx, sup) {
		return
	}
	var events <-chan fsnotify.Event
	var werrs <-chan error
	if w, err := watchOne(dir); err != nil {
		log.Warn("cannot watch "+dir+"; "+what+" changes apply at the next start", "err", err.Error())
	} else {
		defer w.Close()
		events, werrs = w.Events, w.Errors
	}
	backoff := time.Second
	retry := time.NewTimer(0) // the first sync, now
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-events:
			retry.Reset(settle)
		case e := <-werrs:
			log.Warn("watching "+dir, "err", e.Error())
		case <-retry.C:
			if sync(ctx) {
				backoff = time.Second
				continue
			}
			retry.Reset(backoff)
			backoff = min(2*backoff, maxBackoff)
		}
	}
}

// watchOne watches one directory: a Secret or ConfigMap update swaps a
// link there rather than writing the file.
func watchOne(dir string) (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(dir); err != nil {
		_ = w.Close()
		return nil, err
	}
	return w, nil
}
