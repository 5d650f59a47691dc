// A new certificate in the TLS dir, taken by a running broker: the
// reloader has written its new PEM keystore; an incremental AlterConfigs
// of the keystore's location (the same path) on each of its TLS listeners
// makes Kafka load it anew, and the broker keeps running.

package node

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// keystoreReloadBudget bounds one reload's requests.
const keystoreReloadBudget = 30 * time.Second

// reloadKeystores asks the node's broker service svc to load its keystore
// (one file, beside its properties) anew on every TLS listener.
func reloadKeystores(ctx context.Context, np *Rendered, svc *macros.Service, keystore string) error {
	p := svc.Probe
	if p == nil || p.Security == nil || len(svc.TLSListeners) == 0 {
		return fmt.Errorf("service %s has no TLS listener kinit can reach", svc.ID)
	}
	_, port, err := net.SplitHostPort(p.Address)
	if err != nil {
		return err
	}
	// The probe dials loopback and verifies the node's name; this client
	// dials the node's name, and the broker it is sent to verifies as its
	// own.
	sec := p.Security.Clone()
	if sec.TLS != nil {
		sec.TLS.ServerName = ""
	}
	addr := net.JoinHostPort(np.Node.FQDN, port)
	opts, err := probe.KafkaClientOpts(addr, sec)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(addr))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	var alter []kadm.AlterConfig
	for _, l := range svc.TLSListeners {
		alter = append(alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: "listener.name." + strings.ToLower(l) + ".ssl.keystore.location", Value: &keystore})
	}
	actx, cancel := context.WithTimeout(ctx, keystoreReloadBudget)
	defer cancel()
	res, err := kadm.NewClient(cl).AlterBrokerConfigs(actx, alter, int32(np.Node.ID))
	if err != nil {
		return err
	}
	var errs *multierror.Error
	for _, r := range res {
		if r.Err != nil {
			msg := r.Err.Error()
			if r.ErrMessage != "" {
				msg += ": " + r.ErrMessage
			}
			errs = multierror.Append(errs, fmt.Errorf("broker %s: %s", r.Name, msg))
		}
	}
	return errs.ErrorOrNil()
}

// keystoreReloaded is the log line of a reload, naming the listeners.
func keystoreReloaded(svc *macros.Service, keystore string) string {
	return "service " + strconv.Quote(svc.ID) + " reloaded " + keystore + " on " + strings.Join(svc.TLSListeners, ", ") + " without a restart"
}
