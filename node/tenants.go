// The tenants of a shared cluster (KINIT_TENANTS_FILE): once the node's
// broker is ready, and again whenever the file changes, their SCRAM users,
// prefixed ACLs and quotas are reconciled with the file, cluster-wide and
// without restarting anything. Every broker node does the same, which is
// idempotent.

package node

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kinit/kinit/internal/safefs"
	"github.com/kinit/kinit/internal/tenants"
	"github.com/kinit/kinit/supervisor"
)

// Timing of the tenants keeper: how long a change settles (a ConfigMap
// update is several renames), the longest wait between failed
// reconciles, and the bound of one.
const (
	tenantsSettle      = 300 * time.Millisecond
	tenantsMaxBackoff  = time.Minute
	tenantsApplyBudget = time.Minute
)

// TenantsStateName is the file, in the broker's data dir, naming the
// tenants this node last applied: a tenant the file no longer names is
// revoked only if kinit applied it, so principals made by hand are never
// touched, and the record survives a restart with an edited file.
const TenantsStateName = "kinit-tenants.json"

// tenantsKeeper owns what was applied; the status section reads it under
// mu.
type tenantsKeeper struct {
	path, admin, state string
	broker             localBroker
	sup                *supervisor.Supervisor
	log                *slog.Logger

	mu      sync.Mutex
	applied []string
	version string
	at      time.Time
	err     error
}

type tenantsState struct {
	Applied []string `json:"applied"`
}

// StartTenants keeps the tenants of a node whose broker runs here with a
// tenants file; elsewhere it does nothing. The returned channel closes
// when it has stopped.
func StartTenants(ctx context.Context, sup *supervisor.Supervisor, np *Rendered, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	k := newTenantsKeeper(sup, np, log)
	if k == nil {
		close(done)
		return done
	}
	sup.AddSection("tenants", k.fields)
	go func() {
		defer close(done)
		k.run(ctx)
	}()
	return done
}

func newTenantsKeeper(sup *supervisor.Supervisor, np *Rendered, log *slog.Logger) *tenantsKeeper {
	if np == nil || np.Node == nil || !np.Node.Security.Authorizes() {
		return nil
	}
	b, ok := findLocalBroker(np)
	if !ok {
		return nil
	}
	dir := np.Node.DataDirs[b.id]
	if dir == "" {
		return nil
	}
	k := &tenantsKeeper{path: np.Node.Security.TenantsFile, admin: np.Node.Security.AdminUser, broker: b,
		state: filepath.Join(dir, TenantsStateName), sup: sup, log: log.With("section", "tenants")}
	if data, err := os.ReadFile(k.state); err == nil {
		var st tenantsState
		if err := json.Unmarshal(data, &st); err != nil {
			k.log.Warn("ignoring "+k.state+": tenants removed from the file before this start stay applied", "err", err.Error())
		}
		k.applied = st.Applied
	}
	return k
}

func (k *tenantsKeeper) run(ctx context.Context) {
	keeperLoop(ctx, k.sup, k.broker, k.log, filepath.Dir(k.path), "tenant", tenantsSettle, tenantsMaxBackoff, k.sync)
}

// sync reconciles the cluster with the file. A file that does not load
// keeps what is applied (a half-edited file revokes nobody) and waits for
// the next change: true. A failed reconcile is retried: false.
func (k *tenantsKeeper) sync(ctx context.Context) bool {
	f, err := tenants.Load(k.path, k.admin)
	var pw map[string]string
	if err == nil {
		pw, err = f.Passwords()
	}
	if err != nil {
		k.done(nil, err)
		return true
	}
	adm, cl, err := k.broker.admin()
	if err != nil {
		return k.done(nil, err)
	}
	defer cl.Close()
	actx, cancel := context.WithTimeout(ctx, tenantsApplyBudget)
	defer cancel()
	k.mu.Lock()
	previous := slices.Clone(k.applied)
	k.mu.Unlock()
	applied, err := tenants.Reconcile(actx, adm, f, pw, previous)
	if err != nil {
		return k.done(nil, err)
	}
	if err := k.save(applied); err != nil {
		k.log.Warn("cannot record the tenants applied in "+k.state, "err", err.Error())
	}
	return k.done(f, nil, applied...)
}

// save records the tenants applied, replacing the file whole.
func (k *tenantsKeeper) save(applied []string) error {
	data, err := json.Marshal(tenantsState{Applied: applied})
	if err != nil {
		return err
	}
	_, err = safefs.WriteFile(k.state, append(data, '\n'), 0o644, -1, -1)
	return err
}

// done records a reconcile's outcome and logs what changed; false when
// it failed.
func (k *tenantsKeeper) done(f *tenants.File, err error, applied ...string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err == nil {
		if removed := without(k.applied, applied); len(removed) > 0 {
			k.log.Info("revoked tenants " + strings.Join(removed, ", ") + " (no longer in " + k.path + "): their ACLs and quotas removed, their passwords random")
		}
		if f.Version != k.version {
			k.log.Info("applied "+k.path, "version", f.Version, "tenants", strings.Join(applied, ", "))
		}
		k.applied, k.version, k.at = applied, f.Version, time.Now()
	}
	var problems tenants.Problems
	switch {
	case err != nil && errors.As(err, &problems) && (k.err == nil || k.err.Error() != err.Error()):
		k.log.Warn(k.path + " has problems; the tenants applied stay as they are until it is fixed")
		for _, p := range problems {
			k.log.Warn(p.String())
		}
	case err != nil && (k.err == nil || k.err.Error() != err.Error()):
		k.log.Warn("cannot reconcile the tenants of "+k.path+"; retrying", "err", err.Error())
	}
	k.err = err
	return err == nil
}

// without is what of a is not in b.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// fields are the section of `kinit status`: never a password.
func (k *tenantsKeeper) fields() map[string]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]string{"file": k.path, "tenants": strings.Join(k.applied, ", ")}
	if k.version != "" {
		out["version"] = k.version
	}
	if !k.at.IsZero() {
		out["applied"] = k.at.UTC().Format(time.RFC3339)
	}
	if k.err != nil {
		out["error"] = k.err.Error()
	}
	return out
}
