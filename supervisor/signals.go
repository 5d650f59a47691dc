package supervisor

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// HandleSignals turns SIGTERM and SIGINT into Terminate calls (the first
// stops in order, the second kills) until Run returns. The returned func
// stops the handling early.
func HandleSignals(s *Supervisor) (stop func()) {
	// os/signal drops a signal when the channel is full; a few slots keep
	// a quick double SIGTERM from being lost.
	c := make(chan os.Signal, 4)
	signal.Notify(c, unix.SIGTERM, unix.SIGINT)
	quit := make(chan struct{})
	go func() {
		defer signal.Stop(c)
		for {
			select {
			case sig := <-c:
				s.log.Info("received " + unix.SignalName(sig.(unix.Signal)))
				s.Terminate()
			case <-s.done:
				return
			case <-quit:
				return
			}
		}
	}()
	return func() { close(quit) }
}
