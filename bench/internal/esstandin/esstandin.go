// Package esstandin starts the Elasticsearch stand-in for the benchmarks.
package esstandin

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// Start runs the stand-in binary on a free port and returns its address
// once it listens, and how to stop it.
func Start(bin string) (string, func(), error) {
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("cannot start the stand-in %s: %w", bin, err)
	}
	stop := func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		stop()
		return "", nil, fmt.Errorf("the stand-in printed nothing")
	}
	line := sc.Text() // "elasticsearch stand-in listening on http://ADDR"
	i := strings.LastIndex(line, "://")
	if i < 0 {
		stop()
		return "", nil, fmt.Errorf("unexpected stand-in banner %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return line[i+3:], stop, nil
}
