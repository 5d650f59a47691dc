package roles

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/internal/safefs"
)

// Identity order (UNIQUE_SELF_NODE_INT), first match wins:
//
//  1. KINIT_NODE_ID;
//  2. the id persisted on the data volume by an earlier start
//     (<data_dir>/<identity.id_file> of each local service; all must agree);
//  3. the ordinal suffix of the host name ("kafka-2" -> 2) plus
//     identity.ordinal_offset (or the role's ordinal_offset, or the
//     config's ordinal_offsets entry for the role), when ordinals
//     are on ("auto": only under Kubernetes, i.e. KUBERNETES_SERVICE_HOST set);
//  4. this node's entry in the member list: its explicit id ("3@host"), else
//     the ordinal rule of step 3, else its 1-based position in the whole list;
//  5. otherwise a configuration error.
//
// Every node computes the ids of the other members with step 4 alone, so a
// node whose id from steps 1-3 differs from what step 4 gives its own entry
// would disagree with its peers (a ZooKeeper ensemble that cannot form): that
// is an error, not a warning.
func (n *Node) resolveIdentity(env Env, list *NodeList, c *Collector) {
	cfg := n.Config
	ordinalOn := cfg.Identity.Ordinal == "on" || (cfg.Identity.Ordinal == "auto" && env.Get("KUBERNETES_SERVICE_HOST") != "")
	offset := func(role string) int {
		if o, ok := n.Cluster.OrdinalOffsets[role]; ok {
			return o
		}
		if r := cfg.Roles[role]; r != nil && r.OrdinalOffset != nil {
			return *r.OrdinalOffset
		}
		return cfg.Identity.OrdinalOffset
	}
	memberID := func(e NodeEntry, position int) (int, string) {
		if e.HasID {
			return e.ID, "explicit"
		}
		if ordinalOn {
			if o, ok := ordinal(shortName(e.Host)); ok {
				return offsetID(o, offset(e.Role)), "ordinal"
			}
		}
		return position, "position " + strconv.Itoa(position)
	}

	selfIdx := -1
	roleListed := false
	if list != nil {
		for i, e := range list.Entries {
			id, from := memberID(e, i+1)
			m := Member{Role: e.Role, Host: e.Host, Hostname: shortName(e.Host), ID: id, IDFrom: from}
			if e.Role == n.Role {
				roleListed = true
			}
			if sameHost(e.Host, n.FQDN) {
				if e.Role != n.Role {
					c.Add(fileOf(list.Source), e.Line, "%sthis node (%s) is listed with role %s, but %s is %s",
						envPrefix(list.Source), n.FQDN, e.Role, EnvRole, n.Role)
				} else {
					m.Self = true
					selfIdx = len(n.Members)
				}
			}
			n.Members = append(n.Members, m)
		}
		if roleListed && selfIdx < 0 {
			c.Add(fileOf(list.Source), 0, "%sthis node (%s) is not in the %s member list; add it (members: %s)",
				envPrefix(list.Source), n.FQDN, n.Role, strings.Join(hostsOf(list, n.Role), ", "))
			return
		}
	}

	id, source, found := 0, "", false
	if v, ok := env.Lookup(EnvNodeID); ok && strings.TrimSpace(v) != "" {
		x, err := ParseNodeID(strings.TrimSpace(v))
		if err != nil {
			c.Add("", 0, "%s: %q is %v", EnvNodeID, v, err)
			return
		}
		id, source, found = x, EnvNodeID, true
	}
	// KRaft: the Apache and Confluent images take the id from
	// KAFKA_NODE_ID, which would also override node.id in the rendered
	// file; kinit's own id must then be the same.
	if v := strings.TrimSpace(env.Get(EnvKafkaNodeID)); v != "" && n.KRaft() {
		x, err := ParseNodeID(v)
		switch {
		case err != nil:
			c.Add("", 0, "%s: %q is %v", EnvKafkaNodeID, v, err)
			return
		case found && x != id:
			c.Add("", 0, "%s=%d and %s=%d disagree; set one of them", EnvNodeID, id, EnvKafkaNodeID, x)
			return
		case !found:
			id, source, found = x, EnvKafkaNodeID, true
		}
	}
	if !found {
		if x, file, ok := n.persistedID(c); ok {
			id, source, found = x, "persisted in "+file, true
		}
	}
	if !found && ordinalOn {
		if o, ok := ordinal(n.Hostname); ok {
			id, source, found = offsetID(o, offset(n.Role)), fmt.Sprintf("hostname ordinal %d + offset %d", o, offset(n.Role)), true
		}
	}
	if selfIdx >= 0 {
		self := n.Members[selfIdx]
		if !found {
			id, source, found = self.ID, "member list ("+self.IDFrom+")", true
		} else if self.ID != id {
			c.Add(fileOf(list.Source), 0, "node id %d (%s) disagrees with id %d that the member list gives %s (%s); every node derives member ids from the list, so set %d@%s there or fix the id",
				id, source, self.ID, self.Host, self.IDFrom, id, self.Host)
			return
		}
		n.Members[selfIdx].IDFrom = source
	} else {
		// Not listed: a single-node cluster, or a role the list leaves out.
		pos := len(n.Members) + 1
		if !found {
			id, source, found = pos, "position "+strconv.Itoa(pos)+" (single node)", true
			if list != nil {
				source = "position " + strconv.Itoa(pos) + " (after the listed members)"
			}
		}
		n.Members = append(n.Members, Member{Role: n.Role, Host: n.FQDN, Hostname: n.Hostname, ID: id, IDFrom: source, Self: true})
	}
	if !found {
		c.Add("", 0, "cannot find this node's id: set %s, or list the node in %s", EnvNodeID, EnvNodes)
		return
	}
	n.ID, n.IDSource = id, source
}

func hostsOf(list *NodeList, role string) []string {
	var out []string
	for _, e := range list.Entries {
		if e.Role == role {
			out = append(out, e.String())
		}
	}
	return out
}

// persistedID reads the id files of the local services; they must agree.
func (n *Node) persistedID(c *Collector) (int, string, bool) {
	id, file, found := 0, "", false
	for _, s := range n.Services {
		dir, ok := n.DataDirs[s.ID]
		if !ok {
			continue
		}
		path := filepath.Join(dir, n.Config.Identity.IDFile)
		data, ok := readOwned(path, "persisted node id", c)
		if !ok {
			continue
		}
		x, err := ParseNodeID(strings.TrimSpace(string(data)))
		if err != nil {
			c.Add(path, 1, "holds %d bytes that are not a node id (a number 0..%d)", len(data), MaxNodeID)
			continue
		}
		if found && x != id {
			c.Add(path, 1, "persisted node id %d disagrees with %d in %s", x, id, file)
			continue
		}
		id, file, found = x, path, true
	}
	return id, file, found
}

// checkIDFiles compares the resolved id with ZooKeeper's myid and Kafka's
// meta.properties already on the data volume: a volume that belongs to
// another node must not be started with this node's id.
func (n *Node) checkIDFiles(c *Collector) {
	for _, s := range n.Services {
		for _, chk := range s.IDChecks {
			path, ok := n.expandVarsAt(chk.File, c, "services", s.ID, "id_check")
			if !ok {
				continue
			}
			data, ok := readOwned(path, "", c)
			if !ok {
				continue
			}
			if chk.Key == "" {
				x, err := ParseNodeID(strings.TrimSpace(string(data)))
				if err != nil {
					c.Add(path, 1, "holds %d bytes that are not a node id (a number 0..%d)", len(data), MaxNodeID)
					continue
				}
				if x != n.ID {
					c.Add(path, 1, "holds id %d but this node is %d (%s): the data volume belongs to another node; refusing to start",
						x, n.ID, n.IDSource)
				}
				continue
			}
			if chk.Key == "cluster.id" {
				n.checkClusterIDFile(path, string(data), c)
				continue
			}
			v, line, ok := javaprops.Get(string(data), chk.Key)
			if !ok {
				continue
			}
			x, err := ParseNodeID(strings.TrimSpace(v))
			if err != nil {
				c.Add(path, line, "%s holds %d bytes that are not a node id (a number 0..%d)", chk.Key, len(v), MaxNodeID)
				continue
			}
			if x != n.ID {
				c.Add(path, line, "names %s=%d but this node is %d (%s): the data volume belongs to another broker; refusing to start",
					chk.Key, x, n.ID, n.IDSource)
			}
		}
	}
}

// readOwned reads a file kinit does not own (one in a service's data
// dir) the way safefs allows, reporting any problem but a missing file;
// what names the file's purpose in the problem ("" for none).
func readOwned(path, what string, c *Collector) ([]byte, bool) {
	data, err := safefs.ReadOwned(path, MaxIDFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		if what == "" {
			c.Add(path, 0, "cannot read: %v", unwrapPath(err))
		} else {
			c.Add(path, 0, "cannot read %s: %v", what, unwrapPath(err))
		}
		return nil, false
	}
	return data, true
}

// IDFiles lists where PersistID keeps the id: one file per local data_dir.
func (n *Node) IDFiles() []string {
	var out []string
	for _, s := range n.Services {
		if dir, ok := n.DataDirs[s.ID]; ok {
			out = append(out, filepath.Join(dir, n.Config.Identity.IDFile))
		}
	}
	return out
}

// PersistID writes the node id into every local data_dir (creating it), so
// the next start finds the same id even if the environment changed, and
// a KRaft node's cluster id beside it (ClusterIDFiles). Files
// that already hold the id are left alone. `kinit up` calls it after a
// successful render; check and render never do.
func (n *Node) PersistID() ([]string, error) {
	want := []byte(strconv.Itoa(n.ID) + "\n")
	var written []string
	for _, path := range n.IDFiles() {
		// The data dir belongs to the service: safefs follows no link
		// its user could have planted there.
		changed, err := safefs.WriteFile(path, want, 0o644, -1, -1)
		if err != nil {
			return written, fmt.Errorf("cannot persist node id: %w", err)
		}
		if changed {
			written = append(written, path)
		}
	}
	// A generated KRaft cluster id is kept too: the storage tool is only
	// run once, and a second start must not generate another.
	for _, path := range n.ClusterIDFiles() {
		changed, err := safefs.WriteFile(path, []byte(n.ClusterID+"\n"), 0o644, -1, -1)
		if err != nil {
			return written, fmt.Errorf("cannot persist cluster id: %w", err)
		}
		if changed {
			written = append(written, path)
		}
	}
	return written, nil
}
