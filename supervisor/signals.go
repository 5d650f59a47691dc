package supervisor

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// HandleSignals turns SIGTERM and SIGINT into Terminate calls (the first
// stops in order, the second kills) and passes SIGHUP, SIGUSR1 and SIGUSR2
// on to the services whose ForwardSignals name them, until Run returns.
// The returned func stops the handling early.
func HandleSignals(s *Supervisor) (stop func()) {
	// os/signal drops a signal when the channel is full; a few slots keep
	// a quick double SIGTERM from being lost.
	c := make(chan os.Signal, 8)
	signal.Notify(c, unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGUSR1, unix.SIGUSR2)
	quit := make(chan struct{})
	go func() {
		defer signal.Stop(c)
		for {
			select {
			case sig := <-c:
				us := sig.(unix.Signal)
				if us != unix.SIGTERM && us != unix.SIGINT {
					// The loop owns the pids: it forwards.
					s.send(evSignal{sig: us})
					continue
				}
				s.log.Info("received " + unix.SignalName(us))
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
