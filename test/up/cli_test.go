package up

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

// result is what one CLI run printed and its exit code.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the kinit binary with args in the node's environment (so
// KINIT_SOCKET and KINIT_CONFIG point at the node), as an operator's
// `docker exec <c> kinit …` would.
func (n *node) cli(args ...string) result {
	n.t.Helper()
	return n.cliEnv(nil, args...)
}

// cliEnv is cli with extra variables.
func (n *node) cliEnv(extra map[string]string, args ...string) result {
	n.t.Helper()
	cmd := n.cliCmd(append([]string{kinitBin}, args...)...)
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return n.runCLI(cmd)
}

// cliCmd is argv (the kinit binary, or a wrapper such as nsenter before
// it) in the node's environment and directory.
func (n *node) cliCmd(argv ...string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = n.environ()
	cmd.Dir = n.dir
	return cmd
}

// runCLI runs cmd, as cliCmd made it, and returns what it printed and its
// exit code; one that does not exit, or ends by a signal, fails the test.
func (n *node) runCLI(cmd *exec.Cmd) result {
	n.t.Helper()
	what := strings.ReplaceAll(strings.Join(cmd.Args, " "), kinitBin, "kinit")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Start()
	if err != nil {
		n.t.Fatalf("cannot run %s: %v", what, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(deadline):
		_ = cmd.Process.Kill()
		n.t.Fatalf("%s did not exit", what)
	}
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		n.t.Fatalf("%s: %v", what, err)
	}
	return r
}

// status is `kinit status --json`, decoded with the client's types (which
// mirror the documented JSON).
func (n *node) status() *client.Status {
	n.t.Helper()
	st, res := n.tryStatus()
	if st == nil {
		n.t.Fatalf("kinit status --json: exit %d: %s", res.code, res.stderr)
	}
	return st
}

func (n *node) tryStatus() (*client.Status, result) {
	n.t.Helper()
	res := n.cli("status", "--json")
	if res.code != 0 {
		return nil, res
	}
	var st client.Status
	if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
		n.t.Fatalf("kinit status --json printed %q: %v", res.stdout, err)
	}
	return &st, res
}

// waitStatus polls `kinit status --json` until cond holds. Until kinit
// answers for the first time, "not running" only means "not yet".
func (n *node) waitStatus(what string, cond func(*client.Status) bool) *client.Status {
	n.t.Helper()
	end := time.Now().Add(deadline)
	var last *client.Status
	for {
		st, res := n.tryStatus()
		switch {
		case st != nil && cond(st):
			return st
		case st != nil:
			last = st
		case last != nil || !strings.Contains(res.stderr, "kinit is not running"):
			n.t.Fatalf("kinit status --json while waiting for %s: exit %d: %s", what, res.code, res.stderr)
		}
		if time.Now().After(end) {
			b, _ := json.MarshalIndent(last, "", "  ")
			n.t.Fatalf("timed out waiting for %s; last status:\n%s", what, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// svc finds a service's row.
func svc(st *client.Status, id string) client.Service {
	for _, s := range st.Services {
		if s.ID == id {
			return s
		}
	}
	return client.Service{}
}

// allReady: every listed service (all when none listed) is ready.
func allReady(ids ...string) func(*client.Status) bool {
	return func(st *client.Status) bool {
		if len(ids) == 0 {
			return st.Ready
		}
		for _, id := range ids {
			if s := svc(st, id); s.State != "ready" || !s.Ready {
				return false
			}
		}
		return true
	}
}

// section returns the fields of a status section (e.g. "metrics").
func section(st *client.Status, name string) map[string]string {
	for _, s := range st.Sections {
		if s.Name == name {
			return s.Fields
		}
	}
	return nil
}

// tableRow finds a service's row in `kinit status` text output.
func tableRow(out, id string) []string {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == id {
			return f
		}
	}
	return nil
}
