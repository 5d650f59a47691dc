// Package demolog runs the standalone demo for the benchmarks and reads
// kinit's JSON log lines from it.
package demolog

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Run is one start of the demo: kinit start -> all ready, and when each
// service was started and became ready (a one-shot: done).
type Run struct {
	Total          time.Duration
	Started, Ready map[string]time.Time
}

type logLine struct {
	Time  time.Time `json:"time"`
	Msg   string    `json:"msg"`
	After string    `json:"after"`
}

// Start runs scripts/demo.sh mode with its state in dir and env added
// until all is ready, then stops it as Ctrl-C does and waits for it to end.
func Start(dir, mode string, env ...string) (Run, error) {
	cmd := exec.Command("scripts/demo.sh", mode)
	cmd.Env = append(append(os.Environ(), "DEMO_DIR="+dir, "KINIT_LOG_FORMAT=json",
		"KINIT_SOCKET="+filepath.Join(dir, "k.sock")), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return Run{}, err
	}
	// The log ends when the demo does, also when it fails before all ready.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); pw.Close() }()
	r := Run{Started: map[string]time.Time{}, Ready: map[string]time.Time{}}
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var err error
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if id, ok := ServiceMsg(l.Msg, " started"); ok {
			r.Started[id] = l.Time
		} else if id, ok := ServiceMsg(l.Msg, " ready"); ok {
			r.Ready[id] = l.Time
		} else if id, ok := ServiceMsg(l.Msg, " done: exited with code 0"); ok { // a one-shot
			r.Ready[id] = l.Time
		} else if l.Msg == "all services ready" {
			r.Total, err = time.ParseDuration(l.After)
			break
		}
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	<-exited
	if err == nil && r.Total == 0 {
		err = fmt.Errorf("the demo never got to all ready")
	}
	return r, err
}

// ServiceMsg parses `service "ID" started` / `service "ID" ready`: the
// service's id when msg is that message with suffix.
func ServiceMsg(msg, suffix string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, `service "`)
	if !ok {
		return "", false
	}
	id, tail, ok := strings.Cut(rest, `"`)
	return id, ok && tail == suffix
}
