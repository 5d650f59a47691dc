package node_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

// The second way to find another kinit: it took the socket after this one
// checked and rendered (two started at once). Run says so with
// ErrSocketTaken (kinit up exits 75, retry, not 78) and starts no service.
// Before, both ways exited 78.
func TestSocketTakenAfterRender(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "kinit.sock")
	testkit.Listen(t, "unix", sock)
	t.Setenv("KINIT_SOCKET", sock)
	ran := filepath.Join(dir, "ran")
	sp := plan.Plan{Services: []plan.Service{{ID: "a", Argv: []string{"/usr/bin/touch", ran}}}}
	out := supervisor.NewStdout(io.Discard, supervisor.LogText)
	_, err := node.Run(sp, &node.Rendered{}, &node.Metrics{}, node.RunOptions{
		Log: slog.New(slog.DiscardHandler), Out: out, Format: supervisor.LogText})
	if !errors.Is(err, node.ErrSocketTaken) {
		t.Errorf("Run: %v, want ErrSocketTaken", err)
	}
	if _, err := os.Stat(ran); !os.IsNotExist(err) {
		t.Errorf("a service ran although the socket was taken: %v", err)
	}
}
