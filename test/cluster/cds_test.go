package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/test/nethost"
)

// KINIT_CDS=on on Java 17, where a JVM writes its archive only when told
// to at exit: ZooKeeper's first run is told to; after `kinit restart` the
// new JVM, started by the same kinit, maps the archive its predecessor
// wrote (the option is decided at each start, not once per plan), and a
// second restart leaves the archive as it was instead of writing it again.
func TestCDSRestartMapsWhatTheLastRunWrote(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"zk-1"}})
	h := c.Hosts[0]
	n := newNode(t, c, h, "KINIT_CONFIG_ID=production", "KINIT_ROLE=zookeeper",
		"KINIT_NODES=zookeeper="+h.FQDN, "KINIT_CDS=on")
	n.start(t)
	st := n.waitReady(ctx, t)

	jvm := func(st *status) (opts, maps string) {
		t.Helper()
		procs, err := nsProcs(n.proc.Pid())
		if err != nil {
			t.Fatal(err)
		}
		p, ok := procs[st.service("zookeeper").Pid]
		if !ok {
			t.Fatalf("zookeeper's pid %d is not in the host", st.service("zookeeper").Pid)
		}
		env, err1 := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.Pid))
		m, err2 := os.ReadFile(fmt.Sprintf("/proc/%d/maps", p.Pid))
		if err1 != nil || err2 != nil {
			t.Fatalf("zookeeper's JVM: %v %v", err1, err2)
		}
		for _, kv := range strings.Split(string(env), "\x00") {
			if v, ok := strings.CutPrefix(kv, "JDK_JAVA_OPTIONS="); ok {
				opts = v
			}
		}
		return opts, string(m)
	}
	opts, _ := jvm(st)
	archive, ok := strings.CutPrefix(opts, "-XX:ArchiveClassesAtExit=")
	if !ok || !strings.HasPrefix(filepath.Base(archive), "kinit-cds-zookeeper-") {
		t.Fatalf("first run's JDK_JAVA_OPTIONS %q; want kinit's ArchiveClassesAtExit", opts)
	}

	restart := func(after int) *status {
		t.Helper()
		if out, err := n.kinit(ctx, "restart", "zookeeper"); err != nil {
			t.Fatalf("kinit restart zookeeper: %v: %s", err, out)
		}
		return n.waitStatus(ctx, t, fmt.Sprintf("zookeeper restarted %d times and ready", after), func(s *status) bool {
			z := s.service("zookeeper")
			return z.Restarts == after && z.Ready
		})
	}
	st = restart(1)
	written, err := os.Stat(archive)
	if err != nil || written.Size() == 0 {
		t.Fatalf("the first run wrote no archive at its stop: %v", err)
	}
	opts, maps := jvm(st)
	if opts != "-XX:SharedArchiveFile="+archive || !strings.Contains(maps, archive) {
		t.Fatalf("the restarted JVM does not map the archive: JDK_JAVA_OPTIONS %q, %s in its maps: %v",
			opts, archive, strings.Contains(maps, archive))
	}

	restart(2)
	again, err := os.Stat(archive)
	if err != nil || !again.ModTime().Equal(written.ModTime()) || again.Size() != written.Size() {
		t.Errorf("the archive changed at the second stop (%v): %v %d bytes, was %v %d", err,
			again.ModTime(), again.Size(), written.ModTime(), written.Size())
	}
}
