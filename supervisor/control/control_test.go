package control_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control"
	"github.com/kinit/kinit/supervisor/control/client"
)

const deadline = 60 * time.Second

// node is a real supervisor with its control socket.
type node struct {
	t      *testing.T
	sup    *supervisor.Supervisor
	socket string
	events chan supervisor.Event
}

// socketDir is a directory nobody may enter, as /run/kinit is.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kinit-sock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startNode runs services "zookeeper" (ready at once) and "broker" (ready
// when the test listens on gate).
func startNode(t *testing.T, gate string) *node {
	t.Helper()
	n := &node{t: t, socket: filepath.Join(socketDir(t), "kinit.sock"), events: make(chan supervisor.Event, 256)}
	zkAddr := freeAddr(t)
	plan := plan.Plan{
		Node: plan.NodeInfo{Role: "broker", ID: 2, FQDN: "kafka-2.example", Hostname: "kafka-2", ConfigID: "default", Cluster: "c1"},
		Services: []plan.Service{
			{ID: "zookeeper", Name: "ZooKeeper", Argv: []string{testprog, "-listen", zkAddr}, Required: true,
				Probe: &plan.Probe{Kind: "tcp", Address: zkAddr}},
			{ID: "kafka-broker", Argv: []string{testprog}, Required: true, Waits: []plan.Wait{{Service: "zookeeper", Local: true}},
				Probe: &plan.Probe{Kind: "tcp", Address: gate}},
		},
	}
	sup, err := supervisor.New(plan, supervisor.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Output: io.Discard,
		OnEvent: func(e supervisor.Event) {
			select {
			case n.events <- e:
			default:
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sup.AddSection("metrics", func() map[string]string { return map[string]string{"state": "shipping", "dropped": "0"} })
	n.sup = sup
	srv, err := control.Start(n.socket, sup, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { done <- sup.Run(context.Background()) }()
	t.Cleanup(func() {
		sup.Terminate()
		select {
		case <-done:
		case <-time.After(deadline):
			t.Error("supervisor did not stop")
		}
		srv.Close()
	})
	return n
}

func (n *node) wait(service string, kind supervisor.EventKind) supervisor.Event {
	n.t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case e := <-n.events:
			if e.Service == service && e.Kind == kind {
				return e
			}
		case <-timeout:
			n.t.Fatalf("no %s %s event", service, kind)
		}
	}
}

func listen(t *testing.T, addr string) { testkit.Listen(t, "tcp", addr) }

// kinit runs the CLI against the node's socket.
func (n *node) kinit(cred *syscall.Credential, args ...string) (stdout, stderr string, code int) {
	n.t.Helper()
	cmd := exec.Command(kinitBin, args...)
	cmd.Env = append(os.Environ(), "KINIT_SOCKET="+n.socket)
	var o, e bytes.Buffer
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	// The CLI is a short-lived child of this test; the reaper owns wait4
	// here, so run it through the reaper instead of cmd.Run.
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	cmd.Stdout, cmd.Stderr = outW, errW
	ch, err := reaperStart(cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		n.t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&o, outR); close(copied) }()
	_, _ = io.Copy(&e, errR)
	<-copied
	st := <-ch
	outR.Close()
	errR.Close()
	return o.String(), e.String(), st
}

// curl is what `curl --unix-socket` does.
func curl(t *testing.T, socket, method, path string) (int, []byte) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", socket)
	}}}
	req, _ := http.NewRequest(method, "http://localhost"+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestListenSocketFile(t *testing.T) {
	dir := socketDir(t)
	path := filepath.Join(dir, "sub", "kinit.sock")
	l, err := control.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %v mode %v", err, fi.Mode())
	}
	if _, err := control.Listen(path); !errors.Is(err, control.ErrInUse) {
		t.Fatalf("second Listen on a live socket: %v", err)
	}
	l.Close() // a killed kinit leaves the file behind
	if _, err := os.Lstat(path); err != nil {
		t.Fatal("socket file vanished; the stale case is not tested")
	}
	l2, err := control.Listen(path)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	l2.Close()
	os.Remove(path)
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := control.Listen(path); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("a regular file in the way: %v", err)
	}
}

// The status JSON carries the documented fields (testdata/status-keys.golden).
func TestStatusJSON(t *testing.T) {
	gate := freeAddr(t)
	n := startNode(t, gate)
	n.wait("kafka-broker", supervisor.EventStarted)
	// Poll until the broker's probe has failed once (its progress is not
	// an event).
	var code int
	var body []byte
	for end := time.Now().Add(deadline); ; {
		code, body = curl(t, n.socket, "GET", "/v1/status")
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		if bytes.Contains(body, []byte("not answering")) || time.Now().After(end) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, vv := range x {
				if prefix == "sections[].fields" {
					continue
				}
				walk(strings.TrimPrefix(prefix+"."+k, "."), vv)
			}
		case []any:
			for _, vv := range x {
				walk(prefix+"[]", vv)
			}
		}
		if prefix != "" {
			keys = append(keys, prefix)
		}
	}
	walk("", doc)
	sort.Strings(keys)
	keys = compact(keys)
	golden, err := os.ReadFile(filepath.Join("testdata", "status-keys.golden"))
	if err != nil {
		t.Fatal(err)
	}
	// Optional keys (present only for some states) may be missing.
	for _, want := range strings.Fields(string(golden)) {
		optional := strings.HasSuffix(want, "?")
		want = strings.TrimSuffix(want, "?")
		if !optional && !contains(keys, want) {
			t.Errorf("status JSON lacks %s", want)
		}
	}
	for _, k := range keys {
		if !contains(strings.Fields(strings.ReplaceAll(string(golden), "?", "")), k) {
			t.Errorf("status JSON has undocumented key %s", k)
		}
	}

	var st client.Status
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Node.Role != "broker" || st.Node.ID != 2 || st.Node.FQDN != "kafka-2.example" || st.Node.ConfigID != "default" {
		t.Errorf("node %+v", st.Node)
	}
	if st.Ready || len(st.Services) != 2 || st.Services[0].ID != "zookeeper" || !st.Services[0].Ready || st.Services[0].Pid == 0 {
		t.Errorf("services %+v", st.Services)
	}
	if b := st.Services[1]; b.State != "starting" || b.Ready || !strings.HasPrefix(b.WaitingOn, "readiness: "+gate+" not answering") {
		t.Errorf("broker %+v", b)
	}
	if len(st.Sections) != 1 || st.Sections[0].Name != "metrics" || st.Sections[0].Fields["state"] != "shipping" {
		t.Errorf("sections %+v", st.Sections)
	}
}

func compact(s []string) []string {
	var out []string
	for i, k := range s {
		if i == 0 || s[i-1] != k {
			out = append(out, k)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// `kinit health` exits 0 iff every required service is ready; `kinit status` shows
// the header and the table; start/stop/restart act through the socket.
func TestCLI(t *testing.T) {
	// The CLI is a child of this process, which serves the socket: make it
	// an operator's, not a process kinit started.
	defer control.FakeKinitPid(-1)()
	gate := freeAddr(t)
	n := startNode(t, gate)
	n.wait("kafka-broker", supervisor.EventStarted)
	if out, _, code := n.kinit(nil, "health"); code != 1 || !strings.Contains(out, "not ready: kafka-broker") {
		t.Fatalf("health while starting: code %d, %q", code, out)
	}
	if code, _ := curl(t, n.socket, "GET", "/v1/health"); code != 503 {
		t.Fatalf("GET /v1/health while starting: %d", code)
	}
	listen(t, gate)
	n.wait("kafka-broker", supervisor.EventReady)
	if out, _, code := n.kinit(nil, "health"); code != 0 || out != "ready\n" {
		t.Fatalf("health when ready: code %d, %q", code, out)
	}
	out, _, code := n.kinit(nil, "status")
	if code != 0 {
		t.Fatalf("status exit %d", code)
	}
	for _, want := range []string{"role broker, id 2, fqdn kafka-2.example", "SERVICE", "LAST EXIT", "zookeeper", "kafka-broker", "ready", "metrics: dropped=0 state=shipping"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = n.kinit(nil, "status", "--json")
	var st client.Status
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || !st.Ready {
		t.Fatalf("status --json: code %d, %q", code, out)
	}
	if _, errOut, code := n.kinit(nil, "restart", "kafka-broker"); code != 0 {
		t.Fatalf("restart: %d %s", code, errOut)
	}
	n.wait("kafka-broker", supervisor.EventStopping)
	n.wait("kafka-broker", supervisor.EventReady)
	if _, errOut, code := n.kinit(nil, "stop", "nope"); code != 1 || !strings.Contains(errOut, `unknown service "nope"`) {
		t.Fatalf("stop nope: %d %q", code, errOut)
	}
	if _, _, code := n.kinit(nil, "stop"); code != 2 {
		t.Fatalf("stop without a service: exit %d, want 2", code)
	}
	if code, body := curl(t, n.socket, "POST", "/v1/services/kafka-broker/explode"); code != 404 || !bytes.Contains(body, []byte("unknown action")) {
		t.Fatalf("unknown action: %d %s", code, body)
	}
	os.Remove(n.socket)
	if _, errOut, code := n.kinit(nil, "health"); code != 1 || !strings.Contains(errOut, "kinit is not running") {
		t.Fatalf("health without kinit: %d %q", code, errOut)
	}
}

// A peer that is neither root nor kinit's uid is refused: by the socket's
// mode first, and by the SO_PEERCRED check when the mode was loosened.
func TestSocketRefusesOtherUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root to run the client as nobody (CI runs as root)")
	}
	n := startNode(t, freeAddr(t))
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	_, errOut, code := n.kinit(nobody, "status")
	if code != 1 || !strings.Contains(errOut, "permission denied on "+n.socket) {
		t.Fatalf("nobody on a 0600 socket: %d %q", code, errOut)
	}
	if err := os.Chmod(n.socket, 0o666); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = n.kinit(nobody, "status")
	if code != 1 || !strings.Contains(errOut, "permission denied: uid 65534 may not use the kinit control socket") {
		t.Fatalf("nobody on a loosened socket: %d %q", code, errOut)
	}
	_, errOut, code = n.kinit(nobody, "stop", "zookeeper")
	if code != 1 || !strings.Contains(errOut, "uid 65534") {
		t.Fatalf("nobody stopping a service: %d %q", code, errOut)
	}
	if _, _, code := n.kinit(nil, "health"); code == 2 {
		t.Fatal("root refused")
	}
}

// A process below kinit (here a child of the process serving the socket,
// as a service or a probe is) may read status but not control services:
// in the non-root image it has kinit's uid, so SO_PEERCRED's uid admits it.
// The same request from kinit's own process (curl below) passes.
func TestChildrenCannotControl(t *testing.T) {
	gate := freeAddr(t)
	n := startNode(t, gate)
	n.wait("kafka-broker", supervisor.EventStarted)
	if out, errOut, code := n.kinit(nil, "status"); code != 0 || !strings.Contains(out, "kafka-broker") {
		t.Fatalf("status from below kinit: %d %q %q", code, out, errOut)
	}
	for _, args := range [][]string{{"stop", "zookeeper"}, {"restart", "zookeeper"}, {"start", "zookeeper"}, {"signal", "zookeeper", "KILL"}} {
		_, errOut, code := n.kinit(nil, args...)
		if code != 1 || !strings.Contains(errOut, "is a process kinit supervises (a process kinit started or adopted)") ||
			!strings.Contains(errOut, "docker exec") {
			t.Errorf("kinit %s from below kinit: exit %d, %q; want 1 and refused", strings.Join(args, " "), code, errOut)
		}
	}
	if st, _ := n.sup.Snapshot().Service("zookeeper"); st.Restarts != 0 || st.Pid == 0 {
		t.Fatalf("zookeeper was touched: %+v", st)
	}
	if code, body := curl(t, n.socket, "POST", "/v1/services/zookeeper/restart"); code != 202 {
		t.Fatalf("restart from kinit's own process: %d %s", code, body)
	}
	n.wait("zookeeper", supervisor.EventStopping)
}

// A kept-alive connection that sends no next request is closed, giving its
// slot back.
func TestIdleConnectionClosed(t *testing.T) {
	defer control.FakeIdleTimeout(50 * time.Millisecond)()
	n := startNode(t, freeAddr(t))
	c, err := net.Dial("unix", n.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /v1/health HTTP/1.1\r\nHost: kinit\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the server did not keep the connection alive; nothing to time out")
	}
	// Only keeps a broken server from hanging the test.
	_ = c.SetReadDeadline(time.Now().Add(deadline))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF (closed by kinit)", err)
	}
}
