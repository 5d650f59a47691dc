package roles

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// forward_signals is read with the same names stop_signal takes, normalised
// and without duplicates; the default is none.
func TestForwardSignals(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "kinit.toml")
	cfg := `
[roles.node]
[services.a]
command = ["/a"]
forward_signals = ["hup", "SIGUSR2", "SIGHUP", "usr1", "quit", "28"]
[services.b]
command = ["/b"]
[configs.default.roles]
node = ["a", "b"]
`
	if err := os.WriteFile(f, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Services["a"].ForwardSignals, []string{"SIGHUP", "SIGUSR2", "SIGUSR1", "SIGQUIT", "SIGWINCH"}; !slices.Equal(got, want) {
		t.Errorf("a forwards %v, want %v", got, want)
	}
	if got := c.Services["b"].ForwardSignals; len(got) != 0 {
		t.Errorf("b forwards %v by default", got)
	}
}
