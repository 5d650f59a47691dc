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
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/metrics"
)

// reloadDebounce is how long the watched files must stay quiet before a
// change is applied: an editor's save or a ConfigMap update is several
// file operations, and a change often spans several files.
var reloadDebounce = 500 * time.Millisecond

// reloader applies changes to the config file, the nodes file and the
// templates while kinit up runs (docs/runtime.md). It compiles a change
// the way kinit up compiles at start (Load, SupervisorPlan); an
// invalid one is logged and ignored. A valid one writes the rendered files
// that changed and hands the changed services to the supervisor, which
// restarts them one at a time in start order.
//
// It runs on one goroutine: the watch loop, the compile and the restarts,
// so its state needs no lock. While it waits for a restarted service,
// a newer change cuts the wait short and is applied next.
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

	// What each service was last given: its spec and the digests of its
	// rendered files (destination -> sha256).
	specs map[string]supervisor.ServiceSpec
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
func StartReloader(ctx context.Context, sup *supervisor.Supervisor, np *Rendered, plan supervisor.Plan, m *Metrics, log *slog.Logger) <-chan struct{} {
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
		specs: map[string]supervisor.ServiceSpec{}, files: map[string]map[string]string{},
		seen: map[string]bool{}, w: w, dirs: map[string]*watchDir{}, noDir: map[string]bool{},
	}
	for _, s := range plan.Services {
		r.specs[s.ID] = s
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
	plan, err := SupervisorPlan(np.Rendering, os.Environ())
	if err == nil {
		err = supervisor.Validate(plan)
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
	for _, s := range plan.Services {
		ids = append(ids, s.ID)
	}
	sort.Strings(ids)
	if !slices.Equal(ids, r.ids) {
		r.reject([]error{fmt.Errorf("the node would run %s instead of %s; adding or removing services needs a restart of the container",
			strings.Join(ids, ", "), strings.Join(r.ids, ", "))})
		return false
	}
	var errs []error
	for _, s := range plan.Services {
		if err := supervisor.CanUpdate(r.specs[s.ID], s); err != nil {
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
	changes := Diff(Given{Specs: r.specs, Files: r.files}, np.Rendering, plan)
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
	for _, c := range changes {
		if !c.Restart {
			if _, err := r.sup.Update(ctx, c.Spec, false); err != nil {
				r.log.Warn(fmt.Sprintf("cannot update service %q: %v", c.Spec.ID, err))
				continue
			}
			r.specs[c.Spec.ID], r.files[c.Spec.ID] = c.Spec, c.Files
			continue
		}
		again, ok := r.waitSpare(ctx, np.Node, np.Rendering.Service(c.Spec.ID))
		if again {
			return true
		}
		if !ok {
			return false
		}
		if _, err := writeFiles(np.Rendering, func(id string) bool { return id == c.Spec.ID }); err != nil {
			r.log.Error(fmt.Sprintf("config change not applied to service %q and those after it: %v", c.Spec.ID, err), "service", c.Spec.ID)
			return false
		}
		r.log.Info(fmt.Sprintf("restarting service %q after the config change: %s", c.Spec.ID, strings.Join(c.Why, "; ")), "service", c.Spec.ID)
		outcome, err := r.sup.Update(ctx, c.Spec, true)
		if err != nil {
			if errors.Is(err, supervisor.ErrShuttingDown) || ctx.Err() != nil {
				return false
			}
			r.log.Warn(fmt.Sprintf("cannot restart service %q: %v", c.Spec.ID, err))
			continue
		}
		r.specs[c.Spec.ID], r.files[c.Spec.ID] = c.Spec, c.Files
		// One at a time: the next service restarts once this one is ready
		// again (or will not be, for now).
		if again := r.await(ctx, c.Spec.ID, outcome); again {
			return true
		}
	}
	return false
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
