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

// Describe prints the resolved node, the sizing and the plan in start order
// (waits, probes, files), with secrets masked. `kinit check` prints it, and
// the golden tests compare it.
func (p *Rendering) Describe(w io.Writer) {
	n := p.Node
	m := &p.masker
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

	fmt.Fprintln(w, "services (start order)")
	for i, s := range p.Services {
		fmt.Fprintf(w, "  %d. %s (%s)\n", i+1, s.ID, s.Name)
		field := func(name, format string, a ...any) {
			fmt.Fprintf(w, "     %-10s %s\n", name+":", fmt.Sprintf(format, a...))
		}
		field("command", "%s", m.String(strings.Join(s.Command, " ")))
		field("dir", "%s", s.Dir)
		field("user", "%s", ownerString(s.User, s.Group))
		if len(s.Capabilities) > 0 {
			field("caps", "%s", strings.Join(s.Capabilities, ", "))
		}
		for _, k := range slices.Sorted(maps.Keys(s.Env)) {
			field("env", "%s=%s", k, m.Env(k, s.Env[k]))
		}
		if len(s.Waits) == 0 {
			field("waits", "-")
		}
		for _, wt := range s.Waits {
			field("waits", "%s", wt)
		}
		if s.OneShot {
			how := "one-shot: done when it exits 0"
			if len(s.Creates) > 0 {
				how += "; not run when " + strings.Join(s.Creates, " and ") + " exist"
			}
			field("ready", "%s", how)
		} else {
			field("ready", "%s", s.Ready)
		}
		r := s.Restart
		budget := "unlimited restarts"
		if r.Budget > 0 {
			budget = fmt.Sprintf("budget %d restarts in a row", r.Budget)
		}
		field("restart", "%s, backoff %s..%s, reset after %s, %s", r.Policy, dur(r.BackoffMin), dur(r.BackoffMax), dur(r.ResetAfter), budget)
		if len(s.RestartWith) > 0 {
			field("restart with", "%s", strings.Join(s.RestartWith, ", "))
		}
		field("stop", "%s, grace %s", s.StopSignal, dur(s.Grace))
		if len(s.ForwardSignals) > 0 {
			field("forward", "%s", strings.Join(s.ForwardSignals, ", "))
		}
		field("required", "%v", s.Required)
		for _, o := range s.Overrides {
			v := o.Value
			if o.Secret {
				v = Mask
			}
			from := o.Var
			if o.File != "" {
				from += " (file " + o.File + ")"
			}
			field("override", "%s=%s from %s", o.Key, v, from)
		}
		for _, f := range p.Files {
			if f.Service == s.ID {
				field("file", "%s <- %s (%s %04o)", f.Dst, f.Template, ownerString(f.Owner, f.Group), f.Mode.Perm())
			}
		}
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "warnings")
		for _, x := range p.Warnings {
			fmt.Fprintf(w, "  - %s\n", m.String(x))
		}
	}
	if len(p.Ignored) > 0 {
		fmt.Fprintln(w, "ignored environment")
		for _, x := range p.Ignored {
			fmt.Fprintf(w, "  - %s\n", x)
		}
	}
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

func (wt Wait) String() string {
	if wt.Local {
		return fmt.Sprintf("%s (local), timeout %s", wt.Service, dur(wt.Timeout))
	}
	var addrs []string
	for _, t := range wt.Targets {
		a := t.Address
		if len(t.URLs) > 0 {
			a = strings.Join(t.URLs, " + ")
		}
		addrs = append(addrs, a)
	}
	extra := ""
	if wt.ZKConnect != "" {
		extra = " registered in " + wt.ZKConnect
	}
	return fmt.Sprintf("%s (remote), %d of %d ready by %s probe%s, timeout %s: %s",
		wt.Service, wt.MinReady, len(wt.Targets), wt.Kind, extra, dur(wt.Timeout), strings.Join(addrs, ", "))
}

func (pr Probe) String() string {
	var what string
	switch pr.Kind {
	case "none":
		return "none (ready once started)"
	case "tcp":
		what = "tcp " + pr.Address
	case "zookeeper":
		what = "zookeeper " + pr.Address + " (" + string(pr.Mode) + ")"
	case "kafka":
		switch pr.Mode {
		case roles.ModeZK:
			what = fmt.Sprintf("kafka broker %d registered in %s (zk mode), port %s", pr.BrokerID, pr.ZKConnect, pr.Address)
		case roles.ModeQuorum:
			what = fmt.Sprintf("kraft controller %d a voter of a quorum with a leader, asked at %s", pr.BrokerID, pr.Address)
		case roles.ModeCombined:
			what = fmt.Sprintf("kraft node %d a voter of a quorum with a leader, and broker %d unfenced in metadata from %s", pr.BrokerID, pr.BrokerID, pr.Address)
		default:
			what = fmt.Sprintf("kafka broker %d in metadata from %s (kraft mode)", pr.BrokerID, pr.Address)
		}
	case "http":
		what = "http " + strings.Join(pr.URLs, " and ")
	case "exec":
		what = "exec " + strings.Join(pr.Command, " ")
	}
	return fmt.Sprintf("%s every %s, timeout %s, start within %s", what, dur(pr.Interval), dur(pr.Timeout), dur(pr.StartTimeout))
}

func dur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
