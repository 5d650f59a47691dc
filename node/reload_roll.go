// How the reloader takes part in a roll: the steps' Before (hold a restart
// until the cluster can spare the service, then write its files), and a
// watch for newer changes meanwhile.

package node

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/roles"
)

// waitSpare holds the restart of a clustered service until the cluster
// can spare it (node/spare.go), showing why in its status. Node id N first
// waits N-1 staggers, so nodes that see one change at once go one after
// the other. A service that is not ready costs the cluster nothing and
// goes at once. It returns ctx's error when the roll ends first (a newer
// change, or kinit stopping).
func (r *reloader) waitSpare(ctx context.Context, n *roles.Node, s *macros.Service) error {
	if s == nil {
		return nil
	}
	check := SpareCheckFor(n, s)
	if check == nil {
		return nil
	}
	if st, _ := r.sup.Snapshot().Service(s.ID); !st.Ready {
		return nil
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
			return ctx.Err()
		case <-next.C:
			spared, why := check(ctx)
			if err := ctx.Err(); err != nil {
				return err
			}
			if spared {
				if held != "" {
					r.log.Info(fmt.Sprintf("the cluster can spare service %q now", s.ID), "service", s.ID)
				}
				return nil
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

// watchDuring reads the watched files' events while a roll runs on the
// reloader's goroutine, and cancels the roll on a relevant change. Only
// one goroutine reads the events at a time: the reloader's loop waits for
// the returned channel, which reports whether a newer change ended the
// roll, before it reads them again. The reloader's other state is not
// written while a roll runs.
func (r *reloader) watchDuring(ctx context.Context, cancel context.CancelFunc) <-chan bool {
	newer := make(chan bool, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				newer <- false
				return
			case ev, open := <-r.w.Events:
				if !open {
					cancel()
					newer <- false
					return
				}
				if r.relevant(ev) {
					r.log.Info("newer config change while services restart; applying it first", "file", ev.Name)
					cancel()
					newer <- true
					return
				}
			case err, open := <-r.w.Errors:
				if !open {
					cancel()
					newer <- false
					return
				}
				r.log.Warn("cannot follow config changes: " + err.Error())
			}
		}
	}()
	return newer
}

// beforeRestart holds the restart of c's service until the cluster can
// spare it, then writes its files, just before the supervisor restarts it.
func (r *reloader) beforeRestart(ctx context.Context, np *Rendered, c Change) error {
	if err := r.waitSpare(ctx, np.Node, np.Rendering.Service(c.Spec.ID)); err != nil {
		return err
	}
	if _, err := writeFiles(np.Rendering, func(id string) bool { return id == c.Spec.ID }); err != nil {
		r.log.Error(fmt.Sprintf("config change not applied to service %q and those after it: %v", c.Spec.ID, err), "service", c.Spec.ID)
		return err
	}
	r.log.Info(fmt.Sprintf("restarting service %q after the config change: %s", c.Spec.ID, strings.Join(c.Why, "; ")), "service", c.Spec.ID)
	return nil
}

// writeFiles writes the rendered files, and makes the directories, of the
// services only selects.
func writeFiles(p *macros.Rendering, only func(id string) bool) ([]string, error) {
	sub := &macros.Rendering{}
	for _, s := range p.Services {
		if only(s.ID) {
			sub.Services = append(sub.Services, s)
		}
	}
	for _, f := range p.Files {
		if only(f.Service) {
			sub.Files = append(sub.Files, f)
		}
	}
	return sub.Write(macros.WriteOptions{Chown: os.Geteuid() == 0, MakeDirs: true})
}
