package up

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Ctrl-C on a terminal while kinit's output goes through a pipe (`make demo
// 2>&1 | tee demo.log`) stops every service in order and ends the whole
// command line with 0. It runs kinit the way the demo does, through
// scripts/foreground.sh, on a real pseudo-terminal; the pipe's reader
// ignores SIGINT (as a pager would) so the stop is still visible. Before,
// the terminal's SIGINT left kinit and its services running on their own.
func TestCtrlCThroughPipe(t *testing.T) {
	n := newNode(t, "abc/kinit.toml").withPorts("a", "b", "c")
	script, err := filepath.Abs("../../scripts/foreground.sh")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Join([]string{script, kinitBin, "up", "2>&1", "|", "(trap '' INT; exec cat)"}, " ")
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/pty_ctrlc.py", "all services ready", line)
	cmd.Env = n.environ()
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("command line ended with %v; output:\n%s", err, text)
	}
	ls := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	stop := indexOfLog(ls, "stop requested; stopping services in reverse order")
	if stop < 0 || indexOfLog(ls, "second stop request; killing every service now") >= 0 {
		t.Fatalf("want one ordered stop; output:\n%s", text)
	}
	last := stop
	for _, id := range []string{"c", "b", "a"} {
		i := indexOfLogFrom(ls, last, `service "`+id+`" stopped: …`)
		if i < 0 {
			t.Fatalf("service %s did not stop after the previous one; output:\n%s", id, text)
		}
		last = i
	}
	if i := indexOfLog(ls, "all services stopped"); i < 0 || !strings.Contains(ls[i], "exit_code=0") {
		t.Fatalf("kinit did not end cleanly; output:\n%s", text)
	}
	if left := marked(n.marker); len(left) > 0 {
		t.Fatalf("processes left running after Ctrl-C: %v", left)
	}
}

func indexOfLogFrom(ls []string, from int, msg string) int {
	if i := indexOfLog(ls[from+1:], msg); i >= 0 {
		return from + 1 + i
	}
	return -1
}
