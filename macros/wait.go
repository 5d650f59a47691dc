// Waits as the node sees them: local or remote, how many members must be
// ready, and how each member is probed.

package macros

import (
	"strconv"
	"strings"

	"github.com/kinit/kinit/roles"
)

func (b *builder) wait(s *roles.Service, w roles.WaitSpec, sc *scope) Wait {
	n := b.node
	target := n.Config.Services[w.Service]
	out := Wait{Service: w.Service, Timeout: w.Timeout, Local: n.Runs(w.Service)}
	members := n.MembersRunning(w.Service)
	switch {
	case w.Min == "all":
		out.MinReady = len(members)
	case w.Min == "quorum" || (w.Min == "" && target.Kind == "zookeeper"):
		out.MinReady = len(members)/2 + 1
	case w.Min == "":
		out.MinReady = 1
	default:
		out.MinReady, _ = strconv.Atoi(w.Min)
	}
	if out.MinReady > len(members) && !out.Local {
		b.errs.Add(n.Config.File, n.Config.Line("services", s.ID, "waits", w.Service, "min"),
			"service %s waits for %d ready %s members, but only %d run it", s.ID, out.MinReady, w.Service, len(members))
	}
	switch target.Ready.Kind {
	case "zookeeper", "kafka", "http":
		out.Kind = target.Ready.Kind
	default:
		out.Kind = "tcp"
	}
	if (target.Kind == "kafka" || target.Kind == roles.KindKRaftController) && target.Ready.Kind == "kafka" {
		out.Mode = target.Ready.Mode
		if out.Mode == roles.ModeZK {
			if v, ok := sc.lookup("ZOOKEEPER_SERVICE_STRING"); ok {
				out.ZKConnect = v
			} else {
				out.Kind = "tcp"
			}
		}
	}
	port := n.Port(w.Service, "")
	for _, m := range members {
		t := Target{Host: m.Host, ID: m.ID, Address: hostPort(m.Host, port)}
		if out.Kind == "http" {
			t.URL = remoteURL(target.Ready.URL, m.Host, port)
		}
		out.Targets = append(out.Targets, t)
	}
	return out
}

// remoteURL keeps the scheme and path of a service's own probe URL and points
// it at a member: http://127.0.0.1:@@PORT@@/subjects -> http://host:8081/subjects.
func remoteURL(probeURL, host string, port int) string {
	scheme, rest, ok := strings.Cut(probeURL, "://")
	if !ok {
		scheme, rest = "http", probeURL
	}
	path := ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		path = rest[i:]
	}
	return scheme + "://" + hostPort(host, port) + path
}
