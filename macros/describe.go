package macros

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kinit/kinit/roles"
)

// DescribeNode prints the resolved node and its sizing: what only the
// rendering knows. `kinit check` prints it above the services, whose
// supervision (waits, probes, restart, signals) node describes from the
// plan `kinit up` runs, so that check never shows a second model of it.
func (p *Rendering) DescribeNode(w io.Writer) {
	n := p.Node
	fmt.Fprintln(w, "node")
	fmt.Fprintf(w, "  role:       %s\n", n.Role)
	fmt.Fprintf(w, "  config:     %s\n", n.ConfigID)
	fmt.Fprintf(w, "  id:         %d (%s)\n", n.ID, n.IDSource)
	fmt.Fprintf(w, "  fqdn:       %s\n", n.FQDN)
	fmt.Fprintf(w, "  hostname:   %s\n", n.Hostname)
	fmt.Fprintf(w, "  cluster:    %s\n", n.Config.Cluster.Name)
	if n.ClusterID != "" {
		fmt.Fprintf(w, "  cluster id: %s (%s)\n", n.ClusterID, n.ClusterIDSource)
	}
	src := n.NodesSource
	if src == "" {
		src = "none: a single-node cluster"
	}
	fmt.Fprintf(w, "  members:    (%s)\n", src)
	for _, role := range n.Cluster.RoleOrder {
		ms := n.SortedMembers(role)
		if len(ms) == 0 {
			continue
		}
		var parts []string
		for _, mb := range ms {
			s := fmt.Sprintf("%d %s", mb.ID, mb.Host)
			if mb.Self {
				s += " (self)"
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(w, "    %-10s  %s  [%s]\n", role, strings.Join(parts, ", "), strings.Join(n.Cluster.Roles[role], ", "))
	}

	sz := p.Sizing
	fmt.Fprintln(w, "sizing")
	fmt.Fprintf(w, "  memory:     %s (%s)\n", roles.MiB(sz.MemoryBytes), sz.MemorySource)
	fmt.Fprintf(w, "  cpus:       %s (%s) -> -XX:ActiveProcessorCount=%d\n", strconv.FormatFloat(sz.CPUs, 'f', -1, 64), sz.CPUSource, sz.ActiveProcessorCount)
	var total float64
	for _, ss := range sz.Services {
		total += ss.Share
		fmt.Fprintf(w, "  %-11s %s\n", ss.Service+":", ss)
	}
	fmt.Fprintf(w, "  total:      %s of memory shared out\n", roles.Percent(total))
}

// Field prints one line of a service's description, aligned as every
// other one.
func Field(w io.Writer, name, format string, a ...any) {
	fmt.Fprintf(w, "     %-10s %s\n", name+":", fmt.Sprintf(format, a...))
}

// DescribeProcess prints how service id's process is started (command,
// dir, user, capabilities, environment), secrets masked.
func (p *Rendering) DescribeProcess(w io.Writer, id string) {
	s := p.service(id)
	if s == nil {
		return
	}
	m := &p.masker
	Field(w, "command", "%s", m.String(strings.Join(s.Argv, " ")))
	Field(w, "dir", "%s", s.Dir)
	Field(w, "user", "%s", ownerString(s.User, s.Group))
	if len(s.Capabilities) > 0 {
		Field(w, "caps", "%s", strings.Join(s.Capabilities, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Vars)) {
		Field(w, "env", "%s=%s", k, m.Env(k, s.Vars[k]))
	}
}

// DescribeSources prints where service id's settings came from: the
// environment's overrides (secrets masked) and its rendered files.
func (p *Rendering) DescribeSources(w io.Writer, id string) {
	if s := p.service(id); s != nil {
		for _, o := range s.Overrides {
			v := o.Value
			if o.Secret {
				v = Mask
			}
			from := o.Var
			if o.Drop != "" {
				Field(w, "override", "%s left out (%s) by %s", o.Key, o.Drop, from)
				continue
			}
			if o.File != "" {
				from += " (file " + o.File + ")"
			}
			Field(w, "override", "%s=%s from %s", o.Key, v, from)
		}
	}
	for _, f := range p.Files {
		if f.Service == id {
			Field(w, "file", "%s <- %s (%s %04o)", f.Dst, f.Template, ownerString(f.Owner, f.Group), f.Mode.Perm())
		}
	}
}

// DescribeNotes prints the warnings (secrets masked) and the environment
// variables the rendering ignored.
func (p *Rendering) DescribeNotes(w io.Writer) {
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "warnings")
		for _, x := range p.Warnings {
			fmt.Fprintf(w, "  - %s\n", p.masker.String(x))
		}
	}
	if len(p.Ignored) > 0 {
		fmt.Fprintln(w, "ignored environment")
		for _, x := range p.Ignored {
			fmt.Fprintf(w, "  - %s\n", x)
		}
	}
}

func (p *Rendering) service(id string) *Service {
	for _, s := range p.Services {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// DescribeFiles prints every rendered file, secrets masked.
func (p *Rendering) DescribeFiles(w io.Writer) {
	for _, f := range p.Files {
		fmt.Fprintf(w, "==> %s (%s %04o, from %s) <==\n", f.Dst, ownerString(f.Owner, f.Group), f.Mode.Perm(), f.Template)
		fmt.Fprint(w, p.masker.Properties(string(f.Content)))
	}
}

func ownerString(u, g string) string {
	if u == "" && g == "" {
		return "-"
	}
	return u + ":" + g
}

// Duration prints d as the config spells it: "5m", not "5m0s".
func Duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
