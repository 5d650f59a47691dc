//go:build !(linux && (amd64 || arm64))

package reaper

// Elsewhere the reaper stays on SIGCHLD through os/signal.
type chldSwitch struct{}

func newChldSwitch() *chldSwitch { return nil }
func (*chldSwitch) quiet()       {}
func (*chldSwitch) loud()        {}
