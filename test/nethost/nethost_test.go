package nethost

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func helperEnv(mode string) []string {
	return append(os.Environ(), "NETHOST_HELPER="+mode)
}

func TestHostIdentity(t *testing.T) {
	c := New(t, Config{Names: []string{"node-1", "node-2", "node-3"}})
	for _, h := range c.Hosts {
		p := h.Start(t, Command{Args: []string{"/bin/sh", "-c",
			`echo "name=$(hostname) pid=$$"; for n in node-1 node-2.kinit.test node-3; do getent hosts $n; done; ls /run | wc -l`}})
		if code, err := p.Wait(time.Minute); err != nil || code != 0 {
			t.Fatalf("%s: exit %d, %v\n%s", h.Name, code, err, p.Output())
		}
		out := p.Output()
		if !strings.Contains(out, fmt.Sprintf("name=%s pid=1\n", h.Name)) {
			t.Errorf("%s: want hostname %s as PID 1, got:\n%s", h.Name, h.Name, out)
		}
		for _, o := range c.Hosts {
			want := fmt.Sprintf("%s %s %s", o.Addr, o.FQDN, o.Name)
			if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
				t.Errorf("%s: cannot resolve %s: want %q in:\n%s", h.Name, o.Name, want, out)
			}
		}
		if !strings.HasSuffix(out, "\n0\n") {
			t.Errorf("%s: /run is not a fresh, empty tmpfs:\n%s", h.Name, out)
		}
	}
	if got, _ := os.Hostname(); got == "node-1" || got == "node-2" || got == "node-3" {
		t.Errorf("the test process's hostname changed to %q", got)
	}
	if data, _ := os.ReadFile("/etc/hosts"); strings.Contains(string(data), "kinit.test") {
		t.Error("the machine's /etc/hosts was modified")
	}
}

func TestReachability(t *testing.T) {
	c := New(t, Config{Names: []string{"a-1", "a-2"}})
	h1, h2 := c.Hosts[0], c.Hosts[1]
	srv := h1.Start(t, Command{Args: []string{os.Args[0], "4242"}, Env: helperEnv("serve")})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// From the test process, by name through the cluster's dialer.
	if err := WaitTCP(ctx, c, "a-1.kinit.test:4242", srv.Done()); err != nil {
		t.Fatalf("%v\n%s", err, srv.Output())
	}
	conn, err := c.DialContext(ctx, "tcp", "a-1:4242")
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if line != "a-1 1\n" {
		t.Errorf("from the test process got %q, want %q", line, "a-1 1\n")
	}

	// From another host, by name through its /etc/hosts.
	cmd := h2.Command(ctx, os.Args[0], "a-1:4242")
	cmd.Env = helperEnv("dial")
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "a-1 1\n" {
		t.Errorf("from a-2 got %q, %v; want %q", out, err, "a-1 1\n")
	}

	// Exec joins the running process's namespaces: its hostname, its /run.
	if out, err := srv.Exec(ctx, nil, "/bin/sh", "-c", "hostname; touch /run/mark; cat /proc/1/cmdline | tr '\\0' ' '"); err != nil ||
		!strings.HasPrefix(string(out), "a-1\n") || !strings.Contains(string(out), "4242") {
		t.Errorf("Exec got %q, %v", out, err)
	}
	if _, err := os.Stat("/run/mark"); err == nil {
		t.Error("a host's /run/mark appeared in the machine's /run")
	}

	// SIGTERM reaches the PID-1 server through its handler.
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, err := srv.Wait(time.Minute); err != nil || code != 7 {
		t.Errorf("after SIGTERM: exit %d, %v; want 7\n%s", code, err, srv.Output())
	}
	if !strings.Contains(srv.Output(), "got SIGTERM") {
		t.Errorf("output lacks the handler's line:\n%s", srv.Output())
	}
}

// Killing PID 1 ends everything in its PID namespace, and the Proc reports
// 128+9.
func TestKillEndsNamespace(t *testing.T) {
	c := New(t, Config{Names: []string{"k-1"}})
	h := c.Hosts[0]
	p := h.Start(t, Command{Args: []string{"/bin/sh", "-c", "sleep 1000 & echo child=$!; sleep 1000"}})
	var childNS int
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && childNS == 0 {
		fmt.Sscanf(strings.TrimSpace(p.Output()), "child=%d", &childNS)
		time.Sleep(10 * time.Millisecond)
	}
	if childNS <= 1 {
		t.Fatalf("background child has pid %d in the namespace, want a small pid above 1:\n%s", childNS, p.Output())
	}
	before := netnsPids(t, h.NetNS)
	if len(before) < 3 { // sh, two sleeps
		t.Fatalf("want at least 3 processes in %s, got %v", h.NetNS, before)
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(time.Minute); err != nil || code != 128+9 {
		t.Errorf("exit %d, %v; want 137", code, err)
	}
	for time.Now().Before(deadline) && len(netnsPids(t, h.NetNS)) > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if left := netnsPids(t, h.NetNS); len(left) > 0 {
		t.Errorf("processes left in %s after killing PID 1: %v", h.NetNS, left)
	}
}

func netnsPids(t *testing.T, ns string) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		t.Fatalf("ip netns pids %s: %v", ns, err)
	}
	return strings.Fields(string(out))
}

// After a cluster's cleanup nothing of it is left: no namespace, no link,
// no process, even for a process the test left running.
func TestCleanup(t *testing.T) {
	var ns []string
	var bridge string
	t.Run("cluster", func(t *testing.T) {
		c := New(t, Config{Names: []string{"c-1", "c-2"}})
		bridge = c.Bridge
		for _, h := range c.Hosts {
			ns = append(ns, h.NetNS)
			h.Start(t, Command{Args: []string{"sleep", "1000"}})
		}
	})
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, n := range ns {
		if strings.Contains(string(out), n+" ") || strings.Contains(string(out), n+"\n") {
			t.Errorf("namespace %s left behind", n)
		}
	}
	if err := exec.Command("ip", "link", "show", bridge).Run(); err == nil {
		t.Errorf("bridge %s left behind", bridge)
	}
}

// A crashed run's leftovers under a slot's names are swept when the slot is
// taken again.
func TestSweepLeftovers(t *testing.T) {
	s, err := acquireSlot()
	if err != nil {
		t.Fatal(err)
	}
	ns := s.netns(1)
	if err := ipCmd("netns", "add", ns); err != nil {
		t.Fatal(err)
	}
	if err := ipCmd("link", "add", s.bridge(), "type", "bridge"); err != nil {
		t.Fatal(err)
	}
	orphan := exec.Command("ip", "netns", "exec", ns, "sleep", "1000")
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- orphan.Wait() }()
	// What acquireSlot does when it takes a slot a dead test held. (Not a
	// release and New: a test binary running in parallel could take the
	// slot in between.)
	s.sweep()
	defer s.release()
	select {
	case <-done:
	case <-time.After(time.Minute):
		orphan.Process.Kill()
		t.Fatal("the leftover process was not killed by the sweep")
	}
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), ns) {
		t.Errorf("namespace %s survived the sweep", ns)
	}
	if err := exec.Command("ip", "link", "show", s.bridge()).Run(); err == nil {
		t.Errorf("bridge %s survived the sweep", s.bridge())
	}
}
