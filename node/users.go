// The client users of a secured node (KINIT_USERS_DIR), applied as SCRAM
// credentials once the node's broker is ready, and again whenever the
// directory changes: a new user, a changed password or a removed file
// takes effect without restarting anything.

package node

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kinit/kinit/internal/scramusers"
	"github.com/kinit/kinit/supervisor"
)

// Timing of the users keeper: how long a change to the directory settles
// (a Secret update is several renames), the longest wait between failed
// applies, and the bound of one apply.
const (
	usersSettle      = 300 * time.Millisecond
	usersMaxBackoff  = time.Minute
	usersApplyBudget = 30 * time.Second
)

// usersKeeper owns the users applied so far; the status section reads
// them under mu.
type usersKeeper struct {
	dir, admin string
	broker     localBroker
	sup        *supervisor.Supervisor
	log        *slog.Logger

	mu      sync.Mutex
	applied map[string][sha256.Size]byte // what the cluster has from this kinit
	at      time.Time
	err     error
}

// StartUsers keeps the client users of a secured node whose broker runs
// here; elsewhere (a plaintext node, no KINIT_USERS_DIR, a controller) it
// does nothing. The returned channel closes when it has stopped.
func StartUsers(ctx context.Context, sup *supervisor.Supervisor, np *Rendered, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	k := newUsersKeeper(sup, np, log)
	if k == nil {
		close(done)
		return done
	}
	sup.AddSection("scram users", k.fields)
	go func() {
		defer close(done)
		k.run(ctx)
	}()
	return done
}

func newUsersKeeper(sup *supervisor.Supervisor, np *Rendered, log *slog.Logger) *usersKeeper {
	if np == nil || np.Node == nil || np.Rendering == nil {
		return nil
	}
	sec := np.Node.Security
	if !sec.Secure() || sec.UsersDir == "" {
		return nil
	}
	b, ok := findLocalBroker(np)
	if !ok {
		return nil
	}
	return &usersKeeper{dir: sec.UsersDir, admin: sec.AdminUser, broker: b, sup: sup,
		log: log.With("section", "scram users"), applied: map[string][sha256.Size]byte{}}
}

func (k *usersKeeper) run(ctx context.Context) {
	keeperLoop(ctx, k.sup, k.broker, k.log, k.dir, "user", usersSettle, usersMaxBackoff, k.sync)
}

// sync reads the directory and applies what changed since the last
// apply: new users and changed passwords upserted, users whose file went
// away revoked (only those this kinit applied: users made by hand stay).
func (k *usersKeeper) sync(ctx context.Context) bool {
	users, err := scramusers.ReadDir(k.dir, k.admin)
	if err != nil {
		// A half-updated directory is not a reason to drop anyone.
		return k.done(nil, nil, err)
	}
	want := users.Digests()
	k.mu.Lock()
	changed := scramusers.Users{}
	var gone []string
	for n, d := range want {
		if k.applied[n] != d {
			changed[n] = users[n]
		}
	}
	for n := range k.applied {
		if _, ok := want[n]; !ok {
			gone = append(gone, n)
		}
	}
	k.mu.Unlock()
	if len(changed) == 0 && len(gone) == 0 {
		return true
	}
	adm, cl, err := k.broker.admin()
	if err != nil {
		return k.done(nil, nil, err)
	}
	defer cl.Close()
	actx, cancel := context.WithTimeout(ctx, usersApplyBudget)
	defer cancel()
	if err := scramusers.Apply(actx, adm, changed); err != nil {
		return k.done(nil, nil, err)
	}
	if err := scramusers.Revoke(actx, adm, gone); err != nil {
		return k.done(changed, nil, err)
	}
	return k.done(changed, gone, nil)
}

// done records an apply's outcome and logs it; false when it failed.
func (k *usersKeeper) done(applied scramusers.Users, deleted []string, err error) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for n, d := range applied.Digests() {
		k.applied[n] = d
	}
	for _, n := range deleted {
		delete(k.applied, n)
	}
	if len(applied) > 0 {
		k.log.Info("applied the SCRAM credentials of " + strings.Join(applied.Names(), ", "))
	}
	if len(deleted) > 0 {
		k.log.Info("revoked " + strings.Join(deleted, ", ") + " (their files went away): their SCRAM passwords are now random ones nobody knows")
	}
	if err != nil && (k.err == nil || k.err.Error() != err.Error()) {
		k.log.Warn("cannot apply the users of "+k.dir+"; retrying", "err", err.Error())
	}
	k.err = err
	if err == nil {
		k.at = time.Now()
	}
	return err == nil
}

// fields are the section of `kinit status`: never a password.
func (k *usersKeeper) fields() map[string]string {
	k.mu.Lock()
	defer k.mu.Unlock()
	names := make(scramusers.Users, len(k.applied))
	for n := range k.applied {
		names[n] = ""
	}
	out := map[string]string{"dir": k.dir, "users": strings.Join(names.Names(), ", ")}
	if !k.at.IsZero() {
		out["applied"] = k.at.UTC().Format(time.RFC3339)
	}
	if k.err != nil {
		out["error"] = k.err.Error()
	}
	return out
}
