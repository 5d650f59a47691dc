package roles

import "sort"

// Node is this container resolved against the config and the environment:
// everything the macros step needs to render and the supervisor to plan.
type Node struct {
	Config   *Config
	Cluster  *ClusterConfig // the chosen [configs.ID]
	ConfigID string
	Role     string
	ID       int
	IDSource string // where ID came from, for `kinit check`
	// ClusterID is the KRaft cluster id ("" in ZooKeeper mode), with
	// where it came from (KINIT_CLUSTER_ID, a file, generated).
	ClusterID, ClusterIDSource string
	FQDN                       string
	Hostname                   string // first label of FQDN

	// Members lists every cluster member (this node included) in nodes-list
	// order; a role the list does not name holds this node alone.
	Members     []Member
	NodesSource string // "KINIT_NODES", a nodes file path, or "" (single node)

	// Services are the services this node runs, in start order.
	Services []*Service

	Vars   map[string]string         // var macro name -> value after KINIT_* overrides
	Ports  map[string]map[string]int // service id -> port name ("" = main) -> port after overrides
	Flavor string                    // preset used when no limit is detected ("" = none)

	// DataDirs maps a local service id to its expanded data_dir.
	DataDirs map[string]string

	// Security is how the cluster is secured (KINIT_SECURITY and its
	// material).
	Security Security
	// External is the brokers' listener for clients outside the container
	// network (KINIT_EXTERNAL_ADVERTISED); zero when there is none.
	External External
}

// Member is one cluster member.
type Member struct {
	Role     string
	Host     string // as listed (an FQDN normally)
	Hostname string // first label
	ID       int
	IDFrom   string // "explicit", "ordinal", "position" or how this node's id was found
	Self     bool
}

// RoleServices returns the services a role runs under the chosen config.
func (n *Node) RoleServices(role string) []string { return n.Cluster.Roles[role] }

// MembersRunning returns the members that run a service under the chosen
// config, sorted by id: the hosts behind a remote wait, a connect string or a
// bootstrap list.
func (n *Node) MembersRunning(serviceID string) []Member {
	var out []Member
	for _, m := range n.Members {
		for _, s := range n.Cluster.Roles[m.Role] {
			if s == serviceID {
				out = append(out, m)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// MembersOfKind is MembersRunning for the service of a kind ("zookeeper",
// "kafka", …) in the chosen config, with that service; ok is false when the
// config runs no such service.
func (n *Node) MembersOfKind(kind string) ([]Member, *Service, bool) {
	for _, role := range n.Cluster.RoleOrder {
		for _, sid := range n.Cluster.Roles[role] {
			if s := n.Config.Services[sid]; s != nil && s.Kind == kind {
				return n.MembersRunning(sid), s, true
			}
		}
	}
	return nil, nil, false
}

// Runs reports whether this node runs a service.
func (n *Node) Runs(serviceID string) bool {
	for _, s := range n.Services {
		if s.ID == serviceID {
			return true
		}
	}
	return false
}

// Port returns a service's port after overrides: name "" is the main port.
func (n *Node) Port(serviceID, name string) int { return n.Ports[serviceID][name] }
