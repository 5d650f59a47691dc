package control_test

import (
	"os/exec"

	"github.com/kinit/kinit/supervisor/reaper"
)

// reaperStart runs cmd through the reaper and returns its exit code channel.
func reaperStart(cmd *exec.Cmd) (<-chan int, error) {
	ch, err := reaper.Start(cmd)
	if err != nil {
		return nil, err
	}
	out := make(chan int, 1)
	go func() { out <- (<-ch).ExitCode() }()
	return out, nil
}
