// KRaft mode: which services of a config form the quorum, node ids unique
// across controllers and brokers, and the cluster id.

package roles

import (
	"path/filepath"
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/internal/safefs"
)

// ClusterIDFile is where a generated cluster id is kept, in each data_dir
// of the node's KRaft services, beside the persisted node id.
const ClusterIDFile = "kinit-cluster-id"

// IsKRaft reports whether s is a KRaft service: a controller, or a kafka
// service with a controller port (combined) or under a config that runs
// a controller.
func (n *Node) IsKRaft(s *Service) bool {
	switch {
	case s.Kind == KindKRaftController:
		return true
	case s.Kind != "kafka":
		return false
	case s.Ports["controller"] != 0:
		return true
	}
	_, _, ok := n.MembersOfKind(KindKRaftController)
	return ok
}

// Combined reports whether s runs as controller and broker in one process:
// a kafka service with a controller port under a config that runs no
// kraft-controller.
func Combined(n *Node, s *Service) bool {
	if s.Kind != "kafka" || s.Ports["controller"] == 0 {
		return false
	}
	_, _, dedicated := n.MembersOfKind(KindKRaftController)
	return !dedicated
}

// KRaft reports whether the chosen config runs Kafka in KRaft mode.
func (n *Node) KRaft() bool {
	for _, sid := range n.clusterServices() {
		if s := n.Config.Services[sid]; s != nil && n.IsKRaft(s) {
			return true
		}
	}
	return false
}

// kraftServices are the KRaft services of the chosen config.
func (n *Node) kraftServices() []string {
	var out []string
	for _, sid := range n.clusterServices() {
		if s := n.Config.Services[sid]; s != nil && n.IsKRaft(s) {
			out = append(out, sid)
		}
	}
	return out
}

// checkKRaftIDs: in KRaft every node.id names one process of the quorum
// or the brokers, so a controller and a broker may not share one, as
// they may in ZooKeeper mode (myid and broker.id are apart).
func (n *Node) checkKRaftIDs(c *Collector) {
	byID := map[int]Member{}
	svcOf := map[int]string{}
	for _, sid := range n.kraftServices() {
		for _, m := range n.MembersRunning(sid) {
			o, dup := byID[m.ID]
			if dup {
				c.Add("", 0, "node id %d is shared by %s (%s, %s, runs %s) and %s (%s, %s, runs %s): in KRaft mode every node.id is unique across controllers and brokers; give the brokers ids after the controllers' (broker=4@host,… in the nodes list, or [configs.%s] ordinal_offsets = { %s = … })",
					m.ID, o.Host, o.Role, o.IDFrom, svcOf[m.ID], m.Host, m.Role, m.IDFrom, sid, n.ConfigID, m.Role)
				continue
			}
			byID[m.ID], svcOf[m.ID] = m, sid
		}
	}
}

// resolveClusterID sets ClusterID for a KRaft config: KINIT_CLUSTER_ID or
// CLUSTER_ID; else what this node's data volume holds (meta.properties,
// or the id kinit generated before); else, for a single-node cluster, a
// new one (persisted by PersistID). A cluster of several nodes must be
// given one: each node generating its own would form several clusters.
func (n *Node) resolveClusterID(env Env, c *Collector) {
	if !n.KRaft() {
		return
	}
	for _, name := range []string{EnvClusterID, EnvClusterIDAlso} {
		if v := strings.TrimSpace(env.Get(name)); v != "" {
			if err := CheckClusterID(v); err != nil {
				c.Add("", 0, "%s: %v", name, err)
				return
			}
			n.ClusterID, n.ClusterIDSource = v, name
			return
		}
	}
	if id, from := n.storedClusterID(c); id != "" {
		n.ClusterID, n.ClusterIDSource = id, from
		return
	}
	members := map[string]bool{}
	for _, sid := range n.kraftServices() {
		for _, m := range n.MembersRunning(sid) {
			members[m.Host] = true
		}
	}
	if len(members) > 1 {
		c.Add("", 0, "%s is not set: a KRaft cluster of %d nodes needs one cluster id on every node; generate one with `kinit cluster-id` and set %s (or %s) to it on each",
			EnvClusterID, len(members), EnvClusterID, EnvClusterIDAlso)
		return
	}
	n.ClusterID, n.ClusterIDSource = NewClusterID(), "generated (single-node cluster)"
}

// storedClusterID reads the cluster id this node's data volume already
// holds; the files must agree.
func (n *Node) storedClusterID(c *Collector) (id, from string) {
	check := func(v, path string, line int) {
		switch {
		case v == "":
		case CheckClusterID(v) != nil:
			c.Add(path, line, "holds %d bytes that are not a cluster id", len(v))
		case id == "":
			id, from = v, path
		case v != id:
			c.Add(path, line, "cluster id %s disagrees with %s in %s", v, id, from)
		}
	}
	for _, s := range n.Services {
		if !n.IsKRaft(s) {
			continue
		}
		for _, chk := range s.IDChecks {
			if chk.Key != "cluster.id" {
				continue
			}
			// A problem reading it is checkIDFiles' to report.
			path, ok := n.expandVarsAt(chk.File, c, "services", s.ID, "id_check")
			if !ok {
				continue
			}
			if data, err := safefs.ReadOwned(path, MaxIDFileSize); err == nil {
				v, line, _ := javaprops.Get(string(data), chk.Key)
				check(strings.TrimSpace(v), path, line)
			}
		}
		if dir, ok := n.DataDirs[s.ID]; ok {
			path := filepath.Join(dir, ClusterIDFile)
			if data, ok := readOwned(path, "", c); ok {
				check(strings.TrimSpace(string(data)), path, 1)
			}
		}
	}
	return id, from
}

// checkClusterIDFile compares a meta.properties cluster.id with the
// node's cluster id.
func (n *Node) checkClusterIDFile(path, data string, c *Collector) {
	v, line, ok := javaprops.Get(data, "cluster.id")
	if !ok || n.ClusterID == "" {
		return
	}
	v = strings.TrimSpace(v)
	if v == n.ClusterID {
		return
	}
	if CheckClusterID(v) != nil {
		// Whatever it holds is not shown: it need not be a cluster id.
		c.Add(path, line, "holds %d bytes that are not a cluster id", len(v))
		return
	}
	c.Add(path, line, "names cluster.id=%s but this node's cluster id is %s (%s): the data volume was formatted for another cluster; refusing to start (never reformatted: point the node at its own volume, or remove the directory to start afresh)",
		v, n.ClusterID, n.ClusterIDSource)
}

// ClusterIDFiles lists where PersistID keeps a generated cluster id.
func (n *Node) ClusterIDFiles() []string {
	if n.ClusterID == "" {
		return nil
	}
	var out []string
	for _, s := range n.Services {
		if dir, ok := n.DataDirs[s.ID]; ok && n.IsKRaft(s) {
			out = append(out, filepath.Join(dir, ClusterIDFile))
		}
	}
	return out
}
