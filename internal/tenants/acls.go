package tenants

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/go-multierror"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// acl is one ACL of a tenant's principal, comparable so that what the
// cluster has and what the file wants are two sets.
type acl struct {
	Type       kmsg.ACLResourceType
	Name       string
	Pattern    kadm.ACLPattern
	Operation  kadm.ACLOperation
	Permission kmsg.ACLPermissionType
	Host       string
}

func (a acl) String() string {
	return fmt.Sprintf("%s %s %s:%s %s host %s", a.Permission, a.Operation, a.Type, a.Name, a.Pattern, a.Host)
}

// Operations a tenant is allowed on what it owns: on its topics what a
// producer and a consumer need (CREATE for auto-created and admin-made
// topics under its prefix); on its groups READ, which is what joining,
// committing and fetching offsets ask for.
var (
	topicOps = []kadm.ACLOperation{kadm.OpRead, kadm.OpWrite, kadm.OpDescribe, kadm.OpCreate}
	groupOps = []kadm.ACLOperation{kadm.OpRead}
)

func principal(tenant string) string { return "User:" + tenant }

// wantACLs are the ACLs t's principal should have, from any host.
func wantACLs(t Tenant) map[acl]bool {
	out := map[acl]bool{}
	for _, set := range []struct {
		typ      kmsg.ACLResourceType
		prefixes []string
		ops      []kadm.ACLOperation
	}{{kmsg.ACLResourceTypeTopic, t.Topics, topicOps}, {kmsg.ACLResourceTypeGroup, t.Groups, groupOps}} {
		for _, p := range set.prefixes {
			for _, op := range set.ops {
				out[acl{Type: set.typ, Name: p, Pattern: kadm.ACLPatternPrefixed, Operation: op, Permission: kmsg.ACLPermissionTypeAllow, Host: "*"}] = true
			}
		}
	}
	return out
}

// reconcileACLs makes the ACLs of tenant's principal exactly want: every
// ACL it has that want lacks (any resource, pattern, operation, host,
// allow or deny) is deleted, every one missing is created.
func reconcileACLs(ctx context.Context, adm *kadm.Client, tenant string, want map[acl]bool) error {
	p := principal(tenant)
	have, err := describeACLs(ctx, adm, p)
	if err != nil {
		return fmt.Errorf("describing the ACLs of %s: %w", p, err)
	}
	var errs *multierror.Error
	for _, a := range sortedACLs(have) {
		if want[a] {
			continue
		}
		if err := deleteACL(ctx, adm, p, a); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("deleting ACL %s of %s: %w", a, p, err))
		}
	}
	var missing []acl
	for _, a := range sortedACLs(want) {
		if !have[a] {
			missing = append(missing, a)
		}
	}
	if err := createACLs(ctx, adm, p, missing); err != nil {
		errs = multierror.Append(errs, err)
	}
	return errs.ErrorOrNil()
}

func sortedACLs(set map[acl]bool) []acl {
	out := make([]acl, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// describeACLs lists every ACL of principal p: any resource, pattern,
// operation and host, allowed or denied.
func describeACLs(ctx context.Context, adm *kadm.Client, p string) (map[acl]bool, error) {
	b := kadm.NewACLs().AnyResource().
		Allow(p).AllowHosts().Deny(p).DenyHosts().
		Operations().ResourcePatternType(kadm.ACLPatternAny)
	res, err := adm.DescribeACLs(ctx, b)
	if err != nil {
		return nil, err
	}
	out := map[acl]bool{}
	for _, r := range res {
		if r.Err != nil {
			return nil, withMessage(r.Err, r.ErrMessage)
		}
		for _, d := range r.Described {
			if d.Principal != p {
				continue // a filter names p; never act on another's
			}
			out[acl{Type: d.Type, Name: d.Name, Pattern: d.Pattern, Operation: d.Operation, Permission: d.Permission, Host: d.Host}] = true
		}
	}
	return out, nil
}

// deleteACL deletes exactly a: a filter with every field set matches no
// other ACL.
func deleteACL(ctx context.Context, adm *kadm.Client, p string, a acl) error {
	b := kadm.NewACLs()
	switch a.Type {
	case kmsg.ACLResourceTypeTopic:
		b.Topics(a.Name)
	case kmsg.ACLResourceTypeGroup:
		b.Groups(a.Name)
	case kmsg.ACLResourceTypeCluster:
		b.Clusters()
	case kmsg.ACLResourceTypeTransactionalId:
		b.TransactionalIDs(a.Name)
	case kmsg.ACLResourceTypeDelegationToken:
		b.DelegationTokens(a.Name)
	default:
		return fmt.Errorf("resource type %s is not one kinit deletes", a.Type)
	}
	switch a.Permission {
	case kmsg.ACLPermissionTypeAllow:
		b.Allow(p).AllowHosts(a.Host)
	case kmsg.ACLPermissionTypeDeny:
		b.Deny(p).DenyHosts(a.Host)
	default:
		return fmt.Errorf("permission %s is not one kinit deletes", a.Permission)
	}
	b.Operations(a.Operation).ResourcePatternType(a.Pattern)
	res, err := adm.DeleteACLs(ctx, b)
	if err != nil {
		return err
	}
	var errs *multierror.Error
	for _, r := range res {
		if r.Err != nil {
			errs = multierror.Append(errs, withMessage(r.Err, r.ErrMessage))
		}
		for _, d := range r.Deleted {
			if d.Err != nil {
				errs = multierror.Append(errs, withMessage(d.Err, d.ErrMessage))
			}
		}
	}
	return errs.ErrorOrNil()
}

// createACLs creates the ACLs as (all allowed to p from any host,
// prefixed), one request per resource.
func createACLs(ctx context.Context, adm *kadm.Client, p string, as []acl) error {
	type resource struct {
		typ  kmsg.ACLResourceType
		name string
	}
	ops := map[resource][]kadm.ACLOperation{}
	var order []resource
	for _, a := range as {
		r := resource{a.Type, a.Name}
		if _, ok := ops[r]; !ok {
			order = append(order, r)
		}
		ops[r] = append(ops[r], a.Operation)
	}
	var errs *multierror.Error
	for _, r := range order {
		b := kadm.NewACLs().Allow(p).AllowHosts("*").Operations(ops[r]...).ResourcePatternType(kadm.ACLPatternPrefixed)
		if r.typ == kmsg.ACLResourceTypeTopic {
			b.Topics(r.name)
		} else {
			b.Groups(r.name)
		}
		res, err := adm.CreateACLs(ctx, b)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("creating ACLs of %s on %s %s: %w", p, r.typ, r.name, err))
			continue
		}
		for _, c := range res {
			if c.Err != nil {
				errs = multierror.Append(errs, fmt.Errorf("creating ACL %s %s:%s of %s: %w", c.Operation, c.Type, c.Name, p, withMessage(c.Err, c.ErrMessage)))
			}
		}
	}
	return errs.ErrorOrNil()
}

// withMessage adds the broker's own words to a Kafka error code.
func withMessage(err error, msg string) error {
	if msg == "" {
		return err
	}
	return fmt.Errorf("%w: %s", err, msg)
}
