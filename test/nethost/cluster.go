package nethost

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Config describes the hosts of a Cluster.
type Config struct {
	// Names are the hosts' short hostnames, one host each (e.g. "kafka-1").
	Names []string
	// Domain makes each host's FQDN <name>.<domain>; default "kinit.test".
	Domain string
}

// Cluster is a set of hosts joined by one bridge.
type Cluster struct {
	// Subnet is the hosts' /24; Gateway is the test process's (root
	// namespace's) address on the bridge.
	Subnet  netip.Prefix
	Gateway netip.Addr
	// Bridge is the bridge's interface name in the root namespace.
	Bridge string
	// Domain is the DNS domain of every FQDN.
	Domain string
	// Hosts in the order of Config.Names; Hosts[i].Index is i+1.
	Hosts []*Host
	// HostsFile is the /etc/hosts every host sees.
	HostsFile string

	t     testing.TB
	slot  *slot
	dir   string
	names map[string]netip.Addr // short names and FQDNs

	mu    sync.Mutex
	procs []*Proc
}

// Host is one test host.
type Host struct {
	Index int    // 1-based position in the cluster
	Name  string // short hostname, as `hostname` prints it inside
	FQDN  string
	Addr  netip.Addr
	NetNS string // `ip netns` name
	// Dir is a scratch directory that lives as long as the cluster, across
	// restarts of the host's processes: put data dirs and logs here.
	Dir string

	c *Cluster
}

// New creates the hosts and registers their removal with t.Cleanup. It
// fails the test (t.Fatal) when it cannot, e.g. when not run as root.
func New(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("nethost: network namespaces need root; run the integration tests as root (CI does)")
	}
	if len(cfg.Names) == 0 || len(cfg.Names) > 200 {
		t.Fatalf("nethost: want 1..200 host names, got %d", len(cfg.Names))
	}
	if cfg.Domain == "" {
		cfg.Domain = "kinit.test"
	}
	for _, tool := range []string{"ip", "nsenter", "unshare", "hostname", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("nethost: %s not found (scripts/deps.sh installs it): %v", tool, err)
		}
	}
	s, err := acquireSlot()
	if err != nil {
		t.Fatalf("nethost: %v", err)
	}
	c := &Cluster{
		Subnet:  netip.MustParsePrefix(fmt.Sprintf("10.231.%d.0/24", s.n)),
		Gateway: netip.MustParseAddr(s.gateway()),
		Bridge:  s.bridge(),
		Domain:  cfg.Domain,
		t:       t,
		slot:    s,
		dir:     t.TempDir(),
		names:   map[string]netip.Addr{},
	}
	t.Cleanup(c.close)
	if err := c.build(cfg.Names); err != nil {
		t.Fatalf("nethost: %v", err)
	}
	return c
}

func (c *Cluster) build(names []string) error {
	b := c.Bridge
	if err := ipCmd("link", "add", b, "type", "bridge"); err != nil {
		return err
	}
	if err := ipCmd("addr", "add", c.Gateway.String()+"/24", "dev", b); err != nil {
		return err
	}
	if err := ipCmd("link", "set", b, "up"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, name := range names {
		idx := i + 1
		if name == "" || strings.ContainsAny(name, " \t\n.") || seen[name] {
			return fmt.Errorf("bad or duplicate host name %q", name)
		}
		seen[name] = true
		h := &Host{
			Index: idx,
			Name:  name,
			FQDN:  name + "." + c.Domain,
			Addr:  netip.MustParseAddr(c.slot.addr(idx)),
			NetNS: c.slot.netns(idx),
			Dir:   filepath.Join(c.dir, name),
			c:     c,
		}
		if err := os.MkdirAll(h.Dir, 0o755); err != nil {
			return err
		}
		veth := c.slot.veth(idx)
		steps := [][]string{
			{"netns", "add", h.NetNS},
			{"link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", h.NetNS},
			{"link", "set", veth, "master", b, "up"},
			{"-n", h.NetNS, "addr", "add", h.Addr.String() + "/24", "dev", "eth0"},
			{"-n", h.NetNS, "link", "set", "eth0", "up"},
			{"-n", h.NetNS, "link", "set", "lo", "up"},
		}
		for _, st := range steps {
			if err := ipCmd(st...); err != nil {
				return err
			}
		}
		c.Hosts = append(c.Hosts, h)
		c.names[h.Name] = h.Addr
		c.names[h.FQDN] = h.Addr
	}
	var hosts strings.Builder
	hosts.WriteString("# written by kinit's test/nethost for the test hosts\n")
	hosts.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	for _, h := range c.Hosts {
		fmt.Fprintf(&hosts, "%s\t%s %s\n", h.Addr, h.FQDN, h.Name)
	}
	c.HostsFile = filepath.Join(c.dir, "hosts")
	return os.WriteFile(c.HostsFile, []byte(hosts.String()), 0o644)
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cannot run ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// close stops every process, then removes namespaces, links and the slot.
func (c *Cluster) close() {
	c.mu.Lock()
	procs := append([]*Proc(nil), c.procs...)
	c.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	for _, h := range c.Hosts {
		killNetns(h.NetNS)
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			c.t.Errorf("nethost: process %d on %s did not exit after SIGKILL", p.pid, p.host.Name)
		}
	}
	c.slot.sweep()
	c.slot.release()
}

// Host returns the host with the given short name or FQDN, or nil.
func (c *Cluster) Host(name string) *Host {
	for _, h := range c.Hosts {
		if h.Name == name || h.FQDN == name {
			return h
		}
	}
	return nil
}

// Resolve maps a host's short name or FQDN to its address.
func (c *Cluster) Resolve(name string) (netip.Addr, bool) {
	a, ok := c.names[name]
	return a, ok
}

// HostPort rewrites "name:port" to "address:port" when name is a host of the
// cluster, and returns other addresses unchanged.
func (c *Cluster) HostPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if a, ok := c.names[host]; ok {
		return net.JoinHostPort(a.String(), port)
	}
	return addr
}

// DialContext dials from the test process, resolving the cluster's host
// names itself (the machine's resolver does not know them). It fits
// franz-go's kgo.Dialer.
func (c *Cluster) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, c.HostPort(addr))
}

// Dial is DialContext with a timeout, the shape of go-zookeeper's zk.Dialer.
func (c *Cluster) Dial(network, addr string, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout(network, c.HostPort(addr), timeout)
}

// Addrs returns "address:port" for every host, e.g. a bootstrap list.
func (c *Cluster) Addrs(port int) []string {
	out := make([]string, len(c.Hosts))
	for i, h := range c.Hosts {
		out[i] = h.HostPort(port)
	}
	return out
}

// HostPort is "address:port" of this host.
func (h *Host) HostPort(port int) string {
	return net.JoinHostPort(h.Addr.String(), fmt.Sprint(port))
}
