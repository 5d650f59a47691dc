package main

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"

	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control/client"
)

// readyTable prints the status table once, the first time every service is
// ready, so the container log shows the node's state without an exec. It
// asks the control socket, like `kinit status`, from its own goroutine:
// the event hook runs on the supervisor's loop and must not block.
type readyTable struct {
	socket string
	out    io.Writer
	off    bool
	once   sync.Once
}

func (r *readyTable) onEvent(sup *supervisor.Supervisor, e supervisor.Event) {
	if r.off || e.Kind != supervisor.EventReady && e.Kind != supervisor.EventDone || !sup.Snapshot().AllReady() {
		return
	}
	r.once.Do(func() {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			st, err := client.New(r.socket).Status(ctx)
			if err != nil {
				return
			}
			var b bytes.Buffer
			printStatus(&b, st, time.Now())
			_, _ = r.out.Write(b.Bytes())
		}()
	})
}
