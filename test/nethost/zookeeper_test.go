package nethost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kinit/kinit/test/kafkahome"
)

// A real three-node ZooKeeper ensemble, one server per host, started through
// the rootfs launcher from the fetched jars: it elects one leader, the
// others follow, data written through one host is read through another, and
// SIGTERM stops each server.
func TestZooKeeperEnsemble(t *testing.T) {
	home := kafkahome.Dir(t)
	c := New(t, Config{Names: []string{"zk-1", "zk-2", "zk-3"}})

	var ensemble strings.Builder
	for _, h := range c.Hosts {
		fmt.Fprintf(&ensemble, "server.%d=%s:2888:3888\n", h.Index, h.FQDN)
	}
	start := time.Now()
	procs := make([]*Proc, len(c.Hosts))
	for i, h := range c.Hosts {
		data := filepath.Join(h.Dir, "zookeeper")
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, "myid"), []byte(fmt.Sprintf("%d\n", h.Index)), 0o644); err != nil {
			t.Fatal(err)
		}
		props := filepath.Join(h.Dir, "zookeeper.properties")
		body := fmt.Sprintf("dataDir=%s\nclientPort=2181\ntickTime=1000\ninitLimit=60\nsyncLimit=10\n"+
			"admin.enableServer=false\n4lw.commands.whitelist=srvr,ruok\n%s", data, ensemble.String())
		if err := os.WriteFile(props, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		env := append(os.Environ(), kafkahome.JVMEnv()...)
		env = append(env, "KAFKA_HEAP_OPTS=-Xms128m -Xmx128m", "LOG_DIR="+filepath.Join(h.Dir, "logs"))
		procs[i] = h.Start(t, Command{Args: []string{filepath.Join(home, "bin/zookeeper-server-start"), props}, Env: env})
	}
	dump := func() {
		for _, p := range procs {
			t.Logf("--- %s (pid %d, exit %d):\n%s", p.Host().Name, p.Pid(), p.ExitCode(), p.Output())
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	modes := map[string]string{}
	for len(modes) < len(c.Hosts) {
		for i, h := range c.Hosts {
			select {
			case <-procs[i].Done():
				dump()
				t.Fatalf("zookeeper on %s exited with %d", h.Name, procs[i].ExitCode())
			default:
			}
			if m, err := c.ZooKeeperMode(ctx, h.FQDN+":2181"); err == nil && (m == "leader" || m == "follower") {
				modes[h.Name] = m
			}
		}
		if len(modes) < len(c.Hosts) {
			select {
			case <-ctx.Done():
				dump()
				t.Fatalf("ensemble did not form: modes %v", modes)
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	t.Logf("ensemble formed in %s: %v", time.Since(start).Round(time.Millisecond), modes)
	leaders := 0
	for _, m := range modes {
		if m == "leader" {
			leaders++
		}
	}
	if leaders != 1 {
		t.Errorf("want exactly one leader, got modes %v", modes)
	}

	// A write through zk-1 is read through zk-3.
	write := c.ZooKeeper(ctx, t, "zk-1.kinit.test:2181")
	if _, err := write.Create("/kinit-t", []byte("hello"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("create through zk-1: %v", err)
	}
	read := c.ZooKeeper(ctx, t, "zk-3.kinit.test:2181")
	if _, err := read.Sync("/kinit-t"); err != nil {
		t.Fatalf("sync through zk-3: %v", err)
	}
	if data, _, err := read.Get("/kinit-t"); err != nil || string(data) != "hello" {
		t.Errorf("read through zk-3: %q, %v", data, err)
	}
	write.Close()
	read.Close()

	for _, p := range procs {
		if err := p.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("SIGTERM %s: %v", p.Host().Name, err)
		}
	}
	for _, p := range procs {
		// The JVM as PID 1 runs its shutdown hooks on SIGTERM and exits
		// with 128+15.
		if code, err := p.Wait(2 * time.Minute); err != nil || code != 143 {
			dump()
			t.Errorf("%s after SIGTERM: exit %d, %v; want 143", p.Host().Name, code, err)
		}
	}
}
