// The members of the cluster as this node sees them: the nodes list (from
// KINIT_NODES or the nodes file) and its checks.

package roles

import (
	"fmt"
	"os"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
)

// loadNodes reads KINIT_NODES, else KINIT_NODES_FILE, else the config's
// nodes_file; nil means a single-node cluster.
func (n *Node) loadNodes(env Env, c *Collector) *NodeList {
	var src, text string
	if v := env.Get(EnvNodes); strings.TrimSpace(v) != "" {
		src, text = EnvNodes, v
	} else {
		path, setting := env.Get(EnvNodesFile), EnvNodesFile
		if path == "" {
			var ok bool
			if path, ok = n.expandVarsAt(n.Config.Cluster.NodesFile, c, "cluster", "nodes_file"); !ok {
				return nil
			}
			setting = ""
		}
		if path == "" {
			return nil
		}
		data, err := safefs.ReadRegular(path, MaxNodesFileSize)
		if err != nil {
			if setting == "" {
				c.Add(n.Config.File, n.Config.Line("cluster", "nodes_file"), "nodes_file %s: cannot read nodes file: %v", path, unwrapPath(err))
			} else {
				c.Add("", 0, "%s=%s: cannot read nodes file: %v", setting, path, unwrapPath(err))
			}
			return nil
		}
		src, text = path, string(data)
	}
	list, err := ParseNodes(src, text)
	if err != nil {
		c.AddError(err)
		return nil
	}
	n.NodesSource = src
	for _, r := range list.Roles {
		if _, ok := n.Cluster.Roles[r]; !ok {
			c.Add(fileOf(src), 0, "%snodes list names role %q, which config %q does not use (it has %s)",
				envPrefix(src), r, n.ConfigID, strings.Join(n.Cluster.RoleOrder, ", "))
		}
	}
	return list
}

func fileOf(src string) string {
	if src == EnvNodes {
		return ""
	}
	return src
}

func envPrefix(src string) string {
	if src == EnvNodes {
		return EnvNodes + ": "
	}
	return ""
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// checkMembers enforces cardinality, unique ids, the node id range and
// ZooKeeper's narrower one.
func (n *Node) checkMembers(c *Collector) {
	count := map[string]int{}
	for _, m := range n.Members {
		count[m.Role]++
	}
	listed := map[string]bool{n.Role: true}
	for _, m := range n.Members {
		listed[m.Role] = true
	}
	// Roles the member list leaves out are not counted (a ZooKeeper node need
	// not know every gateway); what this node needs from them is checked below.
	for _, role := range n.Cluster.RoleOrder {
		r := n.Config.Roles[role]
		if r == nil || !listed[role] {
			continue
		}
		got := count[role]
		if got < r.Min || (r.Max >= 0 && got > r.Max) {
			c.Add(n.Config.File, r.Line, "role %q needs %s members under config %q, the member list has %d%s",
				role, r.Cardinality, n.ConfigID, got, nodesHint(n.NodesSource))
		}
	}
	for _, s := range n.Services {
		for _, w := range s.Waits {
			if n.Runs(w.Service) {
				continue
			}
			if len(n.MembersRunning(w.Service)) == 0 {
				var roles []string
				for _, role := range n.Cluster.RoleOrder {
					for _, sid := range n.Cluster.Roles[role] {
						if sid == w.Service {
							roles = append(roles, role)
						}
					}
				}
				c.Add("", 0, "service %s waits for %s, which runs on role %s under config %q, but the member list has no such member%s",
					s.ID, w.Service, strings.Join(roles, " or "), n.ConfigID, nodesHint(n.NodesSource))
			}
		}
	}
	// An id names a ZooKeeper server (myid) or a broker (broker.id), so it
	// must be unique among the members running the same service; a
	// ZooKeeper node and a broker may both be 1 when no service runs on
	// both (production), but not when one role runs both (default).
	for _, sid := range n.clusterServices() {
		byID := map[int]Member{}
		for _, m := range n.MembersRunning(sid) {
			if o, dup := byID[m.ID]; dup {
				hint := ""
				if strings.Contains(o.IDFrom, "ordinal") && strings.Contains(m.IDFrom, "ordinal") && o.Role != m.Role {
					hint = fmt.Sprintf("; give one role its own range with [configs.%s] ordinal_offsets = { %s = … } (or [roles.%s] ordinal_offset)", n.ConfigID, m.Role, m.Role)
				}
				c.Add("", 0, "node id %d is shared by %s (%s, %s) and %s (%s, %s), which both run %s: ids must be unique among the members running a service%s",
					m.ID, o.Host, o.Role, o.IDFrom, m.Host, m.Role, m.IDFrom, sid, hint)
			}
			byID[m.ID] = m
		}
	}
	n.checkKRaftIDs(c)
	for _, m := range n.Members {
		if !validNodeID(m.ID) {
			c.Add("", 0, "%s has node id %d (%s), outside 0..%d: Kafka's broker.id and node.id are Java ints",
				m.Host, m.ID, m.IDFrom, MaxNodeID)
		}
	}
	if members, s, ok := n.MembersOfKind("zookeeper"); ok {
		for _, m := range members {
			if validNodeID(m.ID) && (m.ID < 1 || m.ID > 255) {
				c.Add("", 0, "%s runs %s and has id %d (%s): ZooKeeper server ids must be 1..255%s",
					m.Host, s.ID, m.ID, m.IDFrom, zkHint(m))
			}
		}
	}
}

func nodesHint(src string) string {
	if src == "" {
		return " (no KINIT_NODES or nodes file: a single-node cluster)"
	}
	return " (from " + src + ")"
}

func zkHint(m Member) string {
	if m.ID == 0 {
		return "; node indexes that count from 0 need an offset (identity.ordinal_offset, or id@host in the nodes list)"
	}
	return ""
}
