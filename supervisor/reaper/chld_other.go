//go:build !(linux && (amd64 || arm64))

package reaper

import "time"

// Elsewhere the reaper stays on SIGCHLD through os/signal.
type chldSwitch struct{}

func newChldSwitch() *chldSwitch { return nil }
func (*chldSwitch) quiet()       {}
func (*chldSwitch) loud()        {}

// The tracker is only for the blocking loop, which runs on amd64 and arm64.
type tracker struct{}

func newTracker() *tracker            { return &tracker{} }
func (*tracker) walked(time.Duration) {}
func (*tracker) collect() int         { return 0 }
func (*tracker) close()               {}
