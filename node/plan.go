// Package node runs a node: it loads and renders the config (roles,
// macros), hands the plan macros built to the supervisor with what only
// the container knows at start (environment, numeric credentials), reloads
// changes and reports, so that cmd/kinit only calls it.
package node

import (
	"os"
	"slices"

	"github.com/kinit/kinit/internal/owner"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// SupervisorPlan is the rendered node's plan as `kinit up` hands it to the
// supervisor, with base (normally os.Environ()) as the container's
// environment. macros built each service's plan entry after expansion;
// here it only gets what the container gives at start: its environment
// and the numeric credentials of its user and group. Every unknown user or
// group is reported at once, at its kinit.toml line.
func SupervisorPlan(p *macros.Rendering, base []string) (plan.Plan, error) {
	n := p.Node
	out := plan.Plan{
		Node: plan.NodeInfo{
			Role: n.Role, ID: n.ID, FQDN: n.FQDN, Hostname: n.Hostname,
			ConfigID: n.ConfigID, Cluster: n.Config.Cluster.Name,
		},
	}
	var problems roles.Collector
	cfg := n.Config
	ag := agentPlan(p, base)
	cds, err := cdsOn(base)
	if err != nil {
		problems.Add("", 0, "%v", err)
	}
	for _, s := range p.Services {
		spec := s.Service.Clone()
		spec.Env = ag.attach(s.ID, s.Environ(base))
		if cds && !spec.OneShot {
			if opt, _ := cdsOption(s, spec.Env); opt != "" {
				spec.Env = appendOpt(spec.Env, cdsEnv, opt)
			}
		}
		if err := credentials(&spec, s.User, s.Group); err != nil {
			key := "user"
			if s.User == "" {
				key = "group"
			}
			problems.Add(cfg.File, cfg.Line("services", s.ID, key), "service %q: %v", s.ID, err)
			continue
		}
		out.Services = append(out.Services, spec)
	}
	if problems.Len() == 0 {
		checkPlan(cfg, out, &problems)
	}
	return out, problems.Err()
}

// credentials resolves the service's user and group. A user is a name, a
// number, or "uid:gid" in numbers: a numeric uid /etc/passwd does not know
// (OpenShift's arbitrary runAsUser) runs with the gid given (else its own
// uid's) and no supplementary groups. A known user brings the supplementary
// groups /etc/group gives it, as login(1) would. Running as the user kinit
// already is changes nothing, so it is left out: a non-root kinit (tests,
// the demo) can then run a config that names "root".
func credentials(spec *plan.Service, userName, groupName string) error {
	if userName == "" && groupName == "" {
		return nil
	}
	id, err := owner.Resolve(userName, groupName)
	if err != nil {
		return err
	}
	uid, gid := os.Getuid(), os.Getgid()
	if id.UID >= 0 {
		uid = id.UID
	}
	if id.GID >= 0 {
		gid = id.GID
	}
	if uid == os.Getuid() && gid == os.Getgid() && (id.Groups == nil || sameGroups(id.Groups, gid)) {
		return nil
	}
	spec.UID, spec.GID, spec.Groups = &uid, &gid, id.Groups
	return nil
}

// sameGroups reports whether groups are kinit's own supplementary groups
// (in any order, the primary group gid aside): then nothing needs
// setgroups(2), which a non-root kinit may not call (the image runs kinit
// as the user its services run as).
func sameGroups(groups []int, gid int) bool {
	own, err := os.Getgroups()
	if err != nil {
		return false
	}
	norm := func(gs []int) []int {
		out := slices.DeleteFunc(slices.Clone(gs), func(g int) bool { return g == gid })
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(own), norm(groups))
}
