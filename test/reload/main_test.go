// Package reload tests runtime injection end to end: the real `kinit up`
// binary (built with the race detector) runs three testprog services from
// testdata/kinit.toml, and the tests edit its config and templates the way
// an operator, an editor or a Kubernetes ConfigMap update does, then check
// which services restarted, with what, and in which order; and that
// SIGHUP reaches only the services that opt in.
//
// Tests wait on kinit's JSON log lines and on the control socket, never on
// sleeps; the deadline only keeps a broken kinit from hanging the suite.
package reload

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testbin"
	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/supervisor/control/client"
)

const deadline = 60 * time.Second

var (
	kinitBin    string // kinit, built with -race
	testprogBin string // supervisor/internal/testprog
)

func TestMain(m *testing.M) {
	// kinit with the race detector, so that a race between the reloader,
	// the supervisor's loop and the signal handling fails the test;
	// testprog without it.
	kinitBin = testbin.MustBuildRace(testbin.Kinit)
	testprogBin = testbin.MustBuild(testbin.Testprog)
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// node is one `kinit up` with its own copy of testdata.
type node struct {
	t      *testing.T
	dir    string // config dir: kinit.toml (and templates/ unless moved)
	tmpl   string // template dir
	etc    string // rendered files
	rec    string // signals the services recorded
	socket string
	env    []string // more KINIT_* settings
	cmd    *exec.Cmd
	stderr testkit.Buffer

	mu      sync.Mutex
	logs    []map[string]any // kinit's own JSON log records, in order
	changed chan struct{}
	exited  chan struct{}
	code    int
}

// layout prepares a node's files: testdata copied to dir, rendered files
// and records in their own directories.
func layout(t *testing.T) *node {
	t.Helper()
	root := t.TempDir()
	n := &node{t: t, dir: filepath.Join(root, "config"), etc: filepath.Join(root, "etc"),
		rec: filepath.Join(root, "signals"), socket: filepath.Join(root, "kinit.sock"),
		changed: make(chan struct{}), exited: make(chan struct{})}
	n.tmpl = filepath.Join(n.dir, "templates")
	copyTree(t, "testdata", n.dir)
	return n
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// start runs kinit up on the node's files and waits until every service
// is ready.
func (n *node) start(config string) {
	t := n.t
	t.Helper()
	env := []string{
		"KINIT_CONFIG=" + config, "KINIT_SOCKET=" + n.socket, "KINIT_LOG_FORMAT=json",
		"KINIT_FQDN=node-1.test", "KINIT_NODE_ID=1", "KINIT_TEMPLATE_DIR=" + n.tmpl,
		"KINIT_TESTPROG=" + testprogBin, "KINIT_ETC_DIR=" + n.etc, "KINIT_RECORD_FILE=" + n.rec,
	}
	ports := testkit.FreePorts(t, 3)
	for i, id := range []string{"A", "B", "C"} {
		env = append(env, "KINIT_PORT_"+id+"="+strconv.Itoa(ports[i]))
	}
	env = append(env, n.env...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KINIT_") {
			env = append(env, kv)
		}
	}
	n.cmd = exec.Command(kinitBin, "up")
	n.cmd.Env = env
	n.cmd.Stderr = &n.stderr
	out, err := n.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go n.read(out)
	t.Cleanup(n.stop)
	n.waitLog(0, "all services ready")
}

// read keeps kinit's own log records; service output is not needed.
func (n *node) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil || m["source"] != "kinit" {
			continue
		}
		n.mu.Lock()
		n.logs = append(n.logs, m)
		close(n.changed)
		n.changed = make(chan struct{})
		n.mu.Unlock()
	}
	err := n.cmd.Wait()
	n.mu.Lock()
	n.code = n.cmd.ProcessState.ExitCode()
	if err != nil && n.code == 0 {
		n.code = -1
	}
	n.mu.Unlock()
	close(n.exited)
}

// waitLog returns the first log record at index >= from whose message
// contains s, and its index.
func (n *node) waitLog(from int, s string) (map[string]any, int) {
	n.t.Helper()
	timeout := time.After(deadline)
	for {
		n.mu.Lock()
		for i := from; i < len(n.logs); i++ {
			if msg, _ := n.logs[i]["msg"].(string); strings.Contains(msg, s) {
				m := n.logs[i]
				n.mu.Unlock()
				return m, i
			}
		}
		ch := n.changed
		n.mu.Unlock()
		select {
		case <-ch:
		case <-n.exited:
			n.t.Fatalf("kinit exited before logging %q\n%s", s, n.dump())
		case <-timeout:
			n.t.Fatalf("kinit never logged %q\n%s", s, n.dump())
		}
	}
}

// logIndex is the index of the first record at >= from containing s, or -1.
func (n *node) logIndex(from int, s string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := from; i < len(n.logs); i++ {
		if msg, _ := n.logs[i]["msg"].(string); strings.Contains(msg, s) {
			return i
		}
	}
	return -1
}

// mark is the index the next log record will have.
func (n *node) mark() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.logs)
}

func (n *node) dump() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var b strings.Builder
	for i, m := range n.logs {
		fmt.Fprintf(&b, "  #%d %v\n", i, m["msg"])
	}
	fmt.Fprintf(&b, "stderr:\n%s", n.stderr.String())
	return b.String()
}

// proc is a service as `kinit status` reports it.
type proc struct {
	pid, restarts int
	state         string
}

func (n *node) status() map[string]proc {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	st, err := client.New(n.socket).Status(ctx)
	if err != nil {
		n.t.Fatalf("cannot get the status: %v", err)
	}
	out := map[string]proc{}
	for _, s := range st.Services {
		out[s.ID] = proc{pid: s.Pid, restarts: s.Restarts, state: s.State}
	}
	return out
}

// stop ends kinit with SIGTERM, checks it stopped cleanly and that the
// race detector found nothing.
func (n *node) stop() {
	t := n.t
	select {
	case <-n.exited:
	default:
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.exited:
		case <-time.After(deadline):
			_ = n.cmd.Process.Kill()
			<-n.exited
			t.Errorf("kinit did not stop on SIGTERM\n%s", n.dump())
			return
		}
	}
	if strings.Contains(n.stderr.String(), "DATA RACE") {
		t.Errorf("the race detector reported:\n%s", n.stderr.String())
	}
	if n.code != 0 {
		t.Errorf("kinit exited with code %d\n%s", n.code, n.dump())
	}
}

// environ reads a process's environment from /proc.
func environ(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Fatalf("cannot read the environment of pid %d: %v", pid, err)
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

// inode identifies a file's current version: an atomic rewrite (temp file
// and rename) gives it a new inode, an in-place write keeps it.
func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// replace rewrites a file the way editors do: a new file renamed over it.
func replace(t *testing.T, p string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := edit(string(b))
	if s == string(b) {
		t.Fatalf("edit of %s changes nothing", p)
	}
	tmp := p + ".new"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

// sub replaces exactly one occurrence of old.
func sub(t *testing.T, old, new string) func(string) string {
	return func(s string) string {
		if strings.Count(s, old) != 1 {
			t.Fatalf("%q occurs %d times", old, strings.Count(s, old))
		}
		return strings.Replace(s, old, new, 1)
	}
}
