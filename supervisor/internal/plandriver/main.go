// Command plandriver runs a plan.Plan read from a JSON file, with the
// reaper, the control socket and signal handling wired as `kinit up` does.
// It exists so that PID-1 tests and benchmarks can run the supervisor
// before (and independently of) configuration loading. Not installed.
//
//	plandriver PLAN.json
//
// Environment: KINIT_SOCKET (control socket, "-" for none),
// KINIT_LOG_FORMAT (text|json), PLANDRIVER_DEBUG=1 for debug logs.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/kinit/kinit/internal/sigtab"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control"
	"github.com/kinit/kinit/supervisor/reaper"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plandriver PLAN.json")
		return 2
	}
	sigs := supervisor.CatchSignals()
	format := os.Getenv("KINIT_LOG_FORMAT")
	level := slog.LevelInfo
	if os.Getenv("PLANDRIVER_DEBUG") == "1" {
		level = slog.LevelDebug
	}
	log := supervisor.NewLogger(os.Stderr, format, level)
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Error("cannot read plan", "err", err)
		return 78
	}
	var sp plan.Plan
	if err := json.Unmarshal(b, &sp); err != nil {
		log.Error("cannot parse plan", "err", err)
		return 78
	}
	sup, err := supervisor.New(sp, supervisor.Options{Logger: log, LogFormat: format})
	if err != nil {
		log.Error(err.Error())
		return 78
	}
	if err := reaper.Run(func(st reaper.Status) {
		log.Debug("reaped orphan", "pid", st.Pid, "status", st.String())
	}); err != nil {
		log.Error(err.Error())
		return 1
	}
	if sock := control.SocketPath(); sock != "-" {
		srv, err := control.Start(sock, sup, log)
		if err != nil {
			log.Error(err.Error())
			return 1
		}
		defer srv.Close()
	}
	if hold := os.Getenv("PLANDRIVER_HOLD"); hold != "" {
		// A stand-in for a slow compile (kinit up reading identity):
		// log "held", then read the FIFO named hold one byte at a time.
		// "?" logs the signals received so far (so a test knows they
		// arrived while held); anything else, or its end, releases the
		// driver. Signals sent meanwhile must not end it.
		log.Info("held")
		f, err := os.Open(hold)
		if err != nil {
			log.Error(err.Error())
			return 1
		}
		b := make([]byte, 1)
		for {
			if _, err := f.Read(b); err != nil || b[0] != '?' {
				break
			}
			var names []string
			for _, sig := range sigs.Early() {
				names = append(names, sigtab.Name(sig))
			}
			log.Info("early signals", "seen", strings.Join(names, ","))
		}
		f.Close()
		if sig, ok := sigs.StopRequested(); ok {
			log.Info("stop requested before start; nothing started", "signal", sig.String())
			return 0
		}
	}
	stop := supervisor.HandleSignals(sup, sigs)
	defer stop()
	return sup.Run(context.Background())
}
