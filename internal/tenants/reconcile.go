package tenants

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/go-multierror"
	"github.com/kinit/kinit/internal/scramusers"
	"github.com/twmb/franz-go/pkg/kadm"
)

// Reconcile makes the cluster say what f says, through adm (a super
// user's client): for each tenant its SCRAM-SHA-512 credential (from
// passwords, as Passwords reads them), its prefixed ACLs and its client
// quotas; for each name of previous that f no longer lists, its password
// replaced by a random one (scramusers.Revoke: never deleted), every ACL
// of its principal deleted and its quotas removed. Nothing of any other
// principal is touched. Running it again with the same file changes
// nothing. A tenant without a password in passwords is an error and
// keeps the credential it had; its ACLs and quotas are still applied.
//
// applied are the names the caller keeps as the next previous: f's
// tenants, plus on error the removed ones whose clean-up failed, so that
// the next run tries them again. Each error names its tenant.
func Reconcile(ctx context.Context, adm *kadm.Client, f *File, passwords map[string]string, previous []string) (applied []string, err error) {
	var errs *multierror.Error
	keep := map[string]bool{}
	for _, n := range f.Names() {
		keep[n] = true
	}
	var removed []string
	for _, n := range previous {
		switch {
		case keep[n] || slices.Contains(removed, n):
		case !name().MatchString(n) || slices.Contains(f.reserved, n):
			// A previous list that went wrong must not take the admin
			// user's password away, with every broker's login.
			errs = multierror.Append(errs, fmt.Errorf("previous tenant %q: not a tenant name, or a reserved one: left alone", n))
		default:
			removed = append(removed, n)
		}
	}
	sort.Strings(removed)

	// A removed tenant loses its login first: its ACLs and quotas go
	// after, and a failure there leaves it with no way in.
	failed := map[string]bool{}
	if err := scramusers.Revoke(ctx, adm, removed); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("revoking %v: %w", removed, err))
		for _, n := range removed {
			failed[n] = true
		}
	}
	users := scramusers.Users{}
	for _, t := range f.Tenants {
		pw, ok := passwords[t.Name]
		if !ok || pw == "" {
			errs = multierror.Append(errs, fmt.Errorf("tenant %s: no password", t.Name))
			continue
		}
		users[t.Name] = pw
	}
	if err := scramusers.Apply(ctx, adm, users); err != nil {
		errs = multierror.Append(errs, err)
	}

	for _, t := range f.Tenants {
		if err := reconcileACLs(ctx, adm, t.Name, wantACLs(t)); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("tenant %s: %w", t.Name, err))
		}
		if err := reconcileQuotas(ctx, adm, t.Name, t.Quotas); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("tenant %s: %w", t.Name, err))
		}
	}
	for _, n := range removed {
		if err := reconcileACLs(ctx, adm, n, nil); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("removed tenant %s: %w", n, err))
			failed[n] = true
		}
		if err := reconcileQuotas(ctx, adm, n, Quotas{}); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("removed tenant %s: %w", n, err))
			failed[n] = true
		}
	}

	applied = f.Names()
	for n := range failed {
		applied = append(applied, n)
	}
	sort.Strings(applied)
	if errs != nil {
		errs.ErrorFormat = joinLines
	}
	return applied, errs.ErrorOrNil()
}

// joinLines words a joined error one problem a line, as Problems does.
func joinLines(es []error) string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += "\n"
		}
		s += e.Error()
	}
	return s
}
