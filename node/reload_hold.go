// How the reloader holds a restart: until the cluster can spare the
// service, and until the restarted service is ready again.

package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor"
)

// waitSpare holds the restart of a clustered service until the cluster
// can spare it (node/spare.go), showing why in its status. Node id N first
// waits N-1 staggers, so nodes that see one change at once go one after
// the other. A service that is not ready costs the cluster nothing and
// goes at once. again reports a newer change (applied next); ok is false
// when kinit is stopping.
func (r *reloader) waitSpare(ctx context.Context, n *roles.Node, s *macros.Service) (again, ok bool) {
	if s == nil {
		return false, true
	}
	check := SpareCheckFor(n, s)
	if check == nil {
		return false, true
	}
	if st, _ := r.sup.Snapshot().Service(s.ID); !st.Ready {
		return false, true
	}
	defer r.sup.Hold(s.ID, "")
	delay := time.Duration(n.ID-1) * SpareStagger
	if delay > 0 {
		r.sup.Hold(s.ID, fmt.Sprintf("waiting: restart of %s staggered by node id, %s", s.ID, delay))
	}
	next := time.NewTimer(delay)
	defer next.Stop()
	held := ""
	for {
		select {
		case <-ctx.Done():
			return false, false
		case ev, open := <-r.w.Events:
			if !open {
				return false, false
			}
			if r.relevant(ev) {
				r.log.Info(fmt.Sprintf("newer config change while the restart of service %q is held; applying it first", s.ID), "file", ev.Name)
				return true, false
			}
		case err, open := <-r.w.Errors:
			if !open {
				return false, false
			}
			r.log.Warn("cannot follow config changes: " + err.Error())
		case <-next.C:
			spared, why := check(ctx)
			if ctx.Err() != nil {
				return false, false
			}
			if spared {
				if held != "" {
					r.log.Info(fmt.Sprintf("the cluster can spare service %q now", s.ID), "service", s.ID)
				}
				return false, true
			}
			if why != held {
				r.log.Info(fmt.Sprintf("the cluster cannot spare service %q yet (%s); holding its restart", s.ID, why), "service", s.ID)
				held = why
			}
			r.sup.Hold(s.ID, fmt.Sprintf("waiting: cluster cannot spare %s (%s)", s.ID, why))
			next.Reset(SpareRetry)
		}
	}
}

// await waits for the outcome of a restart. A newer change to the watched
// files ends the wait: it is applied next (reported as true).
func (r *reloader) await(ctx context.Context, id string, outcome <-chan error) (again bool) {
	for {
		select {
		case err := <-outcome:
			switch {
			case err == nil:
				r.log.Info(fmt.Sprintf("service %q is ready again after the config change", id), "service", id)
			case errors.Is(err, supervisor.ErrShuttingDown):
			case errors.Is(err, supervisor.ErrServiceDown):
				r.log.Info(fmt.Sprintf("service %q: %v", id, err), "service", id)
			default:
				r.log.Warn(fmt.Sprintf("service %q did not come back after the config change: %v", id, err), "service", id)
			}
			return false
		case <-ctx.Done():
			return false
		case ev, ok := <-r.w.Events:
			if !ok {
				return false
			}
			if r.relevant(ev) {
				r.log.Info(fmt.Sprintf("newer config change while service %q restarts; applying it first", id), "file", ev.Name)
				return true
			}
		case err, ok := <-r.w.Errors:
			if !ok {
				return false
			}
			r.log.Warn("cannot follow config changes: " + err.Error())
		}
	}
}
