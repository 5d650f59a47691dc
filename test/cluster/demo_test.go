package cluster

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/test/kafkahome"
	"github.com/kinit/kinit/test/nethost"
)

var socketLine = regexp.MustCompile(`KINIT_SOCKET=(\S+) \S+ status`)

// scripts/demo.sh (what `make demo` runs) twice on the same state, each time
// on a terminal (script(1) gives it one) in a test host, so its loopback
// ports are the host's own: the four services come up, the printed
// second-terminal command works, Ctrl-C typed on the terminal stops
// everything in order through scripts/foreground.sh (one SIGTERM to kinit,
// which runs in a session of its own) and the script exits 0 before its
// parent, standing in for make, which got the same SIGINT and waited, goes
// on; the second run keeps the
// node id, the rendered files and the data of the first. The same for
// `make demo-kraft` (scripts/demo.sh kraft): three services ready and the
// storage format done, and the second run keeps the cluster id. And
// `make demo-secure` (scripts/demo.sh secure): the same three services
// secured, and kcat -F with the kcat.conf it wrote round-trips.
func TestDemo(t *testing.T) {
	for _, m := range []demoMode{
		{arg: "", config: "standalone", meta: "data/kafka/data/meta.properties", ready: 4},
		{arg: "kraft", config: "kraft-standalone", meta: "data/kraft/data/meta.properties", ready: 3, done: 1},
		{arg: "secure", config: "kraft-standalone", meta: "data/kraft/data/meta.properties", ready: 3, done: 1, secure: true},
	} {
		name := m.config
		if m.secure {
			// Not the "#01" Go would add: Apicurio reads its config
			// location as a URI, where '#' starts a fragment.
			name += "-secure"
		}
		t.Run(name, func(t *testing.T) { demoRuns(t, m) })
	}
}

type demoMode struct {
	arg, config, meta string
	ready, done       int // services shown ready, and done, by kinit status
	secure            bool
}

func demoRuns(t *testing.T, m demoMode) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	c := nethost.New(t, nethost.Config{Names: []string{"demo"}})
	h := c.Hosts[0]
	mark := milestones(t)
	state := filepath.Join(h.Dir, "state")
	var env []string
	for _, kv := range nodeEnv(t, h) {
		if !strings.HasPrefix(kv, "KINIT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "DEMO_DIR="+state, "KINIT="+kinitBin(t), "KINIT_KAFKA_HOME="+kafkahome.Dir(t), "KINIT_KRAFT_HOME="+kafkahome.KRaftDir(t), "TERM=dumb")
	meta := filepath.Join(state, m.meta)

	var metaFirst map[string]string
	for run := 1; run <= 2; run++ {
		// The terminal's input is a FIFO the test writes Ctrl-C into.
		fifo := filepath.Join(h.Dir, "tty-in")
		_ = os.Remove(fifo)
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		// O_RDWR: opening does not wait for the reader.
		tty, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The parent stands for make, which gets the terminal's SIGINT
		// too and waits for its recipe before it exits.
		parent := `trap 'echo demo-parent: SIGINT' INT; ` + filepath.Join(root, "scripts", "demo.sh") + ` ` + m.arg + `; echo "demo-parent: exit $?"`
		p := h.Start(t, nethost.Command{
			Args: []string{"/bin/sh", "-c", `exec script -qfec "$0" /dev/null <"$1"`, parent, fifo},
			Env:  env,
			Dir:  root,
		})
		t.Cleanup(func() {
			tty.Close()
			if t.Failed() {
				t.Logf("--- demo run %d (exit %d):\n%s", run, p.ExitCode(), digest(p.Output(), 60))
			}
		})

		var socket string
		for socket == "" {
			if m := socketLine.FindStringSubmatch(p.Output()); m != nil {
				socket = m[1]
				break
			}
			select {
			case <-p.Done():
				t.Fatalf("run %d: the demo exited with %d before printing the status command", run, p.ExitCode())
			case <-ctx.Done():
				t.Fatalf("run %d: the demo printed no status command", run)
			case <-time.After(200 * time.Millisecond):
			}
		}
		// The second terminal: the printed command, from outside the host.
		// `kinit health` passes once the required ZooKeeper and broker
		// are; the demo is ready when all four are (status "ready").
		for {
			cmd := exec.CommandContext(ctx, kinitBin(t), "status", "--json")
			cmd.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
			var st struct {
				Ready bool `json:"ready"`
			}
			if out, err := cmd.Output(); err == nil && json.Unmarshal(out, &st) == nil && st.Ready {
				health := exec.CommandContext(ctx, kinitBin(t), "health")
				health.Env = cmd.Env
				if out, err := health.CombinedOutput(); err != nil {
					t.Errorf("run %d: kinit health with every service ready: %v %s", run, err, out)
				}
				break
			}
			select {
			case <-p.Done():
				t.Fatalf("run %d: the demo exited with %d before every service was ready", run, p.ExitCode())
			case <-ctx.Done():
				t.Fatalf("run %d: not every service became ready", run)
			case <-time.After(500 * time.Millisecond):
			}
		}
		cmd := exec.CommandContext(ctx, kinitBin(t), "status")
		cmd.Env = append(os.Environ(), "KINIT_SOCKET="+socket)
		out, err := cmd.CombinedOutput()
		if err != nil || !tableHeader.Match(out) || strings.Count(string(out), " ready ") != m.ready || strings.Count(string(out), " done ") != m.done {
			t.Errorf("run %d: kinit status from a second terminal: %v\n%s", run, err, out)
		}
		mark("demo run ready")
		if m.secure && run == 1 {
			checkSecureDemo(ctx, t, h, state, p.Output())
			mark("kcat -F kcat.conf round trip")
		}

		if _, err := tty.Write([]byte{3}); err != nil { // Ctrl-C
			t.Fatal(err)
		}
		code, err := p.Wait(3 * time.Minute)
		if err != nil || code != 0 {
			t.Fatalf("run %d: the demo after Ctrl-C: exit %d, %v; want 0", run, code, err)
		}
		mark("demo run stopped")
		if out := p.Output(); !strings.Contains(out, "demo-parent: exit 0") ||
			strings.Index(out, "demo: kinit exited with 0") > strings.Index(out, "demo-parent: exit 0") {
			t.Errorf("run %d: the demo did not end with kinit's 0 before its parent went on", run)
		}
		lines := kinitLog(p.Output())
		if first(lines, "received SIGTERM") < 0 || first(lines, "second stop request; killing every service now") >= 0 {
			t.Errorf("run %d: kinit did not get exactly one stop request (SIGTERM from scripts/foreground.sh)", run)
		}
		if l, ok := firstPrefix(lines, "all services stopped"); !ok || l.Attrs["exit_code"] != "0" {
			t.Errorf("run %d: kinit's last word %+v; want all services stopped, exit_code 0", run, l)
		}
		resolved, _ := firstPrefix(lines, "node resolved")
		if resolved.Attrs["id"] != "1" || resolved.Attrs["config"] != m.config {
			t.Errorf("run %d: node resolved %v; want id 1, %s", run, resolved.Attrs, m.config)
		}
		switch run {
		case 1:
			metaFirst = readProps(t, meta)
			if resolved.Attrs["files_changed"] == "0" {
				t.Errorf("run 1 rendered nothing")
			}
		case 2:
			// Same templates, same node: nothing to rewrite; the broker
			// found its ZooKeeper data (a fresh ZooKeeper would not know
			// the cluster id in meta.properties, and the broker would
			// refuse to start).
			if resolved.Attrs["files_changed"] != "0" {
				t.Errorf("run 2 rewrote %s rendered files; want 0", resolved.Attrs["files_changed"])
			}
			if got := readProps(t, meta); got["cluster.id"] == "" || got["cluster.id"] != metaFirst["cluster.id"] {
				t.Errorf("meta.properties across runs: %v -> %v", metaFirst, got)
			}
		}
	}
}
