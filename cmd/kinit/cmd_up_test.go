package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/supervisor"
)

// The second way to find another kinit: it took the socket after this one
// checked and rendered (two started at once). That is not a configuration
// error either: exit 75 (retry), and no service is started. Before, both
// ways exited 78.
func TestSocketTakenAfterRender(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "kinit.sock")
	testkit.Listen(t, "unix", sock)
	t.Setenv("KINIT_SOCKET", sock)
	ran := filepath.Join(dir, "ran")
	plan := supervisor.Plan{Services: []supervisor.ServiceSpec{{ID: "a", Argv: []string{"/usr/bin/touch", ran}}}}
	out := supervisor.NewStdout(io.Discard, supervisor.LogText)
	code := supervise(plan, &node.Rendered{}, &node.Metrics{}, nil, slog.New(slog.DiscardHandler), out, supervisor.LogText)
	if code != exitTempFail {
		t.Errorf("exit %d, want %d (another kinit took the socket)", code, exitTempFail)
	}
	if _, err := os.Stat(ran); !os.IsNotExist(err) {
		t.Errorf("a service ran although the socket was taken: %v", err)
	}
}
