package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/kinit/kinit/metrics"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor"
)

// reloadDebounce is how long the watched files must stay quiet before a
// change is applied: an editor's save or a ConfigMap update is several
// file operations, and a change often spans several files.
var reloadDebounce = 500 * time.Millisecond

// reloader applies changes to the config file, the nodes file and the
// templates while kinit up runs (docs/runtime.md). It compiles a change
// the way kinit up compiles at start (Load, SupervisorPlan); an
// invalid one is logged and ignored. A valid one writes the rendered files
// that changed and hands the services to restart to the supervisor's
// Roll, which restarts them one at a time in start order.
//
// Its state is owned by one goroutine: the watch loop, the compile and
// the roll's callbacks run there, so it needs no lock. While a roll runs,
// a newer change ends it and is applied next.
type reloader struct {
	sup    *supervisor.Supervisor
	m      *Metrics
	log    *slog.Logger
	config string // config path, as kinit up loaded it

	// Fixed at start: what a reload may not change.
	role     string
	id       int
	configID string
	ids      []string // service ids, sorted

	// The digests of each service's rendered files as last written
	// (destination -> sha256). Its spec is the supervisor's: Spec.
	files map[string]map[string]string
	seen  map[string]bool // warnings already logged
	live  bool            // past the start, where kinit up logged them

	w     *fsnotify.Watcher
	dirs  map[string]*watchDir
	dsts  map[string]bool // rendered files: kinit's own writes are no change
	noDir map[string]bool // directories that could not be watched (warned once)
}

// StartReloader starts watching unless KINIT_RELOAD=off. The returned
// channel is closed once the reloader has stopped, after ctx ends.
func StartReloader(ctx context.Context, sup *supervisor.Supervisor, np *Rendered, sp plan.Plan, m *Metrics, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	if strings.EqualFold(os.Getenv("KINIT_RELOAD"), "off") {
		log.Info("KINIT_RELOAD=off: changes to the config and templates apply at the next start")
		close(done)
		return done
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		log.Warn("cannot watch the config; changes apply at the next start", "err", err.Error())
		close(done)
		return done
	}
	r := &reloader{
		sup: sup, m: m, log: log, config: np.Config.File,
		role: np.Node.Role, id: np.Node.ID, configID: np.Node.ConfigID,
		files: map[string]map[string]string{},
		seen:  map[string]bool{}, w: w, dirs: map[string]*watchDir{}, noDir: map[string]bool{},
	}
	for _, s := range sp.Services {
		r.ids = append(r.ids, s.ID)
	}
	sort.Strings(r.ids)
	r.files = FileDigests(np.Rendering)
	r.remember(np)
	r.rewatch(np)
	go func() {
		defer close(done)
		defer w.Close()
		r.run(ctx)
	}()
	return done
}

func (r *reloader) run(ctx context.Context) {
	// A change between the first compile and the watches being set up
	// would go unseen: compare once now (quietly when nothing changed).
	quiet := time.NewTimer(0)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-r.w.Events:
			if !ok {
				return
			}
			if r.relevant(ev) {
				r.log.Debug("config change seen", "file", ev.Name, "op", ev.Op.String())
				quiet.Reset(reloadDebounce)
			}
		case err, ok := <-r.w.Errors:
			if !ok {
				return
			}
			r.log.Warn("cannot follow config changes: " + err.Error())
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				quiet.Reset(reloadDebounce) // events were lost: look at everything
			}
		case <-quiet.C:
			if r.reload(ctx) {
				quiet.Reset(reloadDebounce)
			}
		}
	}
}

// reload compiles the files as they are now and applies the difference.
// It reports whether a newer change arrived while it waited, which the
// caller applies next.
func (r *reloader) reload(ctx context.Context) (again bool) {
	np, err := Load(r.config)
	if err != nil {
		r.reject(roles.Problems(err))
		return false
	}
	sp, err := SupervisorPlan(np.Rendering, os.Environ())
	if err == nil {
		err = supervisor.Validate(sp)
	}
	if err != nil {
		r.reject([]error{err})
		return false
	}
	if np.Node.Role != r.role || np.Node.ID != r.id || np.Node.ConfigID != r.configID {
		r.reject([]error{fmt.Errorf("the node would become %s %d (config %s) instead of %s %d (config %s); the identity of a running node never changes, restart the container to change it",
			np.Node.Role, np.Node.ID, np.Node.ConfigID, r.role, r.id, r.configID)})
		return false
	}
	var ids []string
	for _, s := range sp.Services {
		ids = append(ids, s.ID)
	}
	sort.Strings(ids)
	if !slices.Equal(ids, r.ids) {
		r.reject([]error{fmt.Errorf("the node would run %s instead of %s; adding or removing services needs a restart of the container",
			strings.Join(ids, ", "), strings.Join(r.ids, ", "))})
		return false
	}
	// Compared with what the supervisor runs, in the form it runs it:
	// defaults filled in.
	sp = sp.WithDefaults()
	running := Given{Specs: map[string]plan.Service{}, Files: r.files}
	for _, id := range r.ids {
		running.Specs[id], _ = r.sup.Spec(id) // the same ids, checked above
	}
	var errs []error
	for _, s := range sp.Services {
		if err := supervisor.CanUpdate(running.Specs[s.ID], s); err != nil {
			errs = append(errs, fmt.Errorf("%w; restart the container to change the start order", err))
		}
	}
	if len(errs) > 0 {
		r.reject(errs)
		return false
	}

	// Valid: from here on the change is applied.
	r.remember(np)
	r.rewatch(np)
	changes := Diff(running, np.Rendering, sp)
	var restart []string
	restarts := map[string]bool{}
	for _, c := range changes {
		if c.Restart {
			restart = append(restart, c.Spec.ID)
			restarts[c.Spec.ID] = true
		}
	}
	// The files of a service that restarts are written just before its
	// own restart: until then it runs, and may restart on its own, with
	// the files it started with. The rest are written now.
	written, err := writeFiles(np.Rendering, func(id string) bool { return !restarts[id] })
	if err != nil {
		// Files written so far stay; no service is restarted, so each
		// keeps running with what it started with. The next change to
		// a watched file tries again.
		r.log.Error("config change not applied: " + err.Error())
		return false
	}
	for _, c := range changes {
		if c.Restart {
			written = append(written, ChangedFiles(r.files[c.Spec.ID], c.Files)...)
		}
	}
	if len(written) == 0 && len(changes) == 0 {
		r.log.Debug("config files changed; nothing to apply")
		return false
	}
	reason := "no service restarted"
	if len(restart) > 0 {
		reason = "restarting " + strings.Join(restart, ", ")
	}
	r.log.Info("config reloaded: "+reason, "files_changed", len(written), "files", strings.Join(written, ","))
	r.m.reloaded(written, reason)
	var steps []supervisor.RollStep
	changed := map[string]Change{}
	for _, c := range changes {
		if !c.Restart {
			if _, err := r.sup.Update(ctx, c.Spec, false); err != nil {
				r.log.Warn(fmt.Sprintf("cannot update service %q: %v", c.Spec.ID, err))
				continue
			}
			r.files[c.Spec.ID] = c.Files
			r.reloadKeystores(ctx, np, c)
			continue
		}
		changed[c.Spec.ID] = c
		steps = append(steps, supervisor.RollStep{Spec: c.Spec, Before: func(ctx context.Context) error {
			return r.beforeRestart(ctx, np, c)
		}})
	}
	if len(steps) == 0 {
		return false
	}
	// The supervisor restarts them one at a time in start order; a newer
	// change to the watched files ends the roll and is applied next.
	rollCtx, cancel := context.WithCancel(ctx)
	newer := r.watchDuring(rollCtx, cancel)
	r.sup.Roll(rollCtx, steps, func(o supervisor.RollOutcome) {
		if o.Applied {
			r.files[o.ID] = changed[o.ID].Files
		}
		switch {
		case o.Err == nil:
			r.log.Info(fmt.Sprintf("service %q is ready again after the config change", o.ID), "service", o.ID)
		case errors.Is(o.Err, supervisor.ErrServiceDown):
			r.log.Info(fmt.Sprintf("service %q: %v", o.ID, o.Err), "service", o.ID)
		case !o.Applied:
			r.log.Warn(o.Err.Error(), "service", o.ID)
		default:
			r.log.Warn(fmt.Sprintf("service %q did not come back after the config change: %v", o.ID, o.Err), "service", o.ID)
		}
	})
	cancel()
	return <-newer
}

// reloadKeystores has a broker take its new keystores in place. A failure
// leaves it serving the old certificate until its next restart, and says
// so: the new file is written, so that restart takes it.
func (r *reloader) reloadKeystores(ctx context.Context, np *Rendered, c Change) {
	svc := np.Rendering.Service(c.Spec.ID)
	for _, ks := range c.Keystores {
		if err := reloadKeystores(ctx, np, svc, ks); err != nil {
			r.log.Warn(fmt.Sprintf("service %q keeps its old certificate until its next restart: cannot reload %s: %v", c.Spec.ID, ks, err), "service", c.Spec.ID)
			continue
		}
		r.log.Info(keystoreReloaded(svc, ks), "service", c.Spec.ID)
	}
}

// reject logs why a change is ignored, every problem with its file:line.
func (r *reloader) reject(problems []error) {
	for _, p := range problems {
		r.log.Error("config change ignored: " + p.Error())
	}
	what := "1 problem"
	if len(problems) != 1 {
		what = fmt.Sprintf("%d problems", len(problems))
	}
	r.log.Error("config change ignored (" + what + "); the services keep running as they are")
}

// remember logs the plan's warnings that were not logged before and keeps
// the rendered destinations, whose writes are kinit's own.
func (r *reloader) remember(np *Rendered) {
	mask := np.Rendering.Masker()
	for _, w := range append(append([]string(nil), np.Notes...), np.Rendering.Warnings...) {
		if !r.seen[w] && r.live {
			r.log.Warn(mask.String(w))
		}
		r.seen[w] = true
	}
	r.live = true
	r.dsts = map[string]bool{}
	for _, f := range np.Rendering.Files {
		r.dsts[filepath.Clean(f.Dst)] = true
	}
}

// reloaded ships the config-reloaded lifecycle event.
func (m *Metrics) reloaded(files []string, reason string) {
	if m.c == nil {
		return
	}
	m.c.Event(metrics.Event{Action: metrics.ActionConfigReloaded, Files: files, Reason: reason})
}
