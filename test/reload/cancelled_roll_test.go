package reload

import (
	"path/filepath"
	"testing"
)

// A change reverted while its restart is under way is undone: the
// supervisor took the new spec before the newer change ended the roll, so
// the next reload compares the reverted config with what the supervisor
// runs now, the new spec, and restarts b with the old one again.
func TestChangeRevertedDuringRollIsUndone(t *testing.T) {
	n := layout(t)
	cfg := filepath.Join(n.dir, "kinit.toml")
	n.start(cfg)
	before := n.status()
	from := n.mark()
	// Never ready with the new command, so its roll is still waiting for
	// b when the revert arrives.
	slow, quick := `"-name", "b", "-delay", "1h", "-listen"`, `"-name", "b", "-listen"`
	replace(t, cfg, sub(t, quick, slow))
	_, i := n.waitLog(from, `service "b" updated; restarting it`)
	replace(t, cfg, sub(t, slow, quick))
	_, i = n.waitLog(i, "newer config change while services restart")
	n.waitLog(i, `restarting service "b" after the config change: command`)
	// Ready again: with the reverted command, as the new one never is.
	n.waitLog(i, `service "b" is ready again`)
	if after := n.status(); after["b"].pid == before["b"].pid || after["b"].state != before["b"].state {
		t.Errorf("b before %+v, after %+v: want a new process, ready", before["b"], after["b"])
	}
}
