package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/kinit/kinit/internal/sigtab"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/node"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control"
	"github.com/kinit/kinit/supervisor/reaper"
)

func init() {
	register("up", command{
		summary: "run this node: resolve, render, supervise (default)",
		usage:   "[--config F]",
		run:     cmdUp,
	})
}

// cmdUp compiles everything before the first fork (config, identity,
// rendered files, a validated plan), then goes live.
func cmdUp(args []string) int {
	// First, before anything that can block (identity files, rendering):
	// no signal's default action may end PID 1 while it compiles.
	sigs := supervisor.CatchSignals()
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	config := fs.String("config", "", "config file (default $KINIT_CONFIG or /etc/kinit/kinit.toml)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageError("up takes no arguments (did you mean 'kinit -- %s'?)", fs.Arg(0))
	}
	format := os.Getenv("KINIT_LOG_FORMAT")
	// Every line kinit prints goes through one bounded queue: a slow or
	// closed stdout loses lines (counted in status), never kinit's time.
	out := supervisor.NewStdout(os.Stdout, format)
	// On an early exit (a config error) the log's last lines still get a
	// moment to reach stdout; after a stop node.Run has already closed it
	// by the exit deadline, and this returns at once.
	defer out.Close(earlyExitDrain)
	log := supervisor.NewLogger(out, format, logLevel())
	slog.SetDefault(log)

	// Compile.
	np, err := node.Load(*config)
	if err != nil {
		return reportProblems(err)
	}
	// The stop deadline and the shipper's settings come from the
	// environment too: a bad one is a configuration error found before
	// anything is written.
	plan, m, err := node.Compile(np, log)
	if err != nil {
		return reportConfigError(err)
	}
	mask := np.Rendering.Masker()
	for _, n := range np.Notes {
		log.Warn(n)
	}
	for _, w := range np.Rendering.Warnings {
		log.Warn(mask.String(w))
	}
	// A kinit answering on the socket runs this node already: refuse
	// before touching its files (control.Start would only find out after).
	if socket := control.SocketPath(); socketAnswers(socket) {
		fmt.Fprintf(os.Stderr, "kinit: cannot start: another kinit is serving %s; nothing was started or written\n", socket)
		return exitTempFail
	}
	if sig, ok := sigs.StopRequested(); ok {
		log.Info("received " + sigtab.Name(sig) + " before the services started; nothing was started or written")
		return exitOK
	}
	if _, err := np.Node.PersistID(); err != nil {
		log.Error("cannot persist the node id", "err", err.Error())
		return exitFailed
	}
	changed, err := np.Rendering.Write(macros.WriteOptions{Chown: os.Geteuid() == 0, MakeDirs: true})
	if err != nil {
		log.Error(err.Error())
		return exitFailed
	}
	attrs := []any{"role", np.Node.Role, "id", np.Node.ID, "fqdn", np.Node.FQDN,
		"config", np.Node.ConfigID, "files_changed", len(changed)}
	if np.Node.ClusterID != "" {
		attrs = append(attrs, "cluster_id", np.Node.ClusterID, "cluster_id_from", np.Node.ClusterIDSource)
	}
	log.Info("node resolved", attrs...)

	// Go live.
	// Checked first: a storm of orphans must not format a line per exit
	// that nobody reads.
	debug := log.Enabled(context.Background(), slog.LevelDebug)
	if err := reaper.Run(func(st reaper.Status) {
		if debug {
			log.Debug("reaped orphan", "pid", st.Pid, "status", st.String())
		}
	}); err != nil {
		log.Error(err.Error())
		return exitFailed
	}
	socket := control.SocketPath()
	// A table in the middle of JSON lines would break log shippers.
	table := &readyTable{socket: socket, out: out, off: format == supervisor.LogJSON}
	code, err := node.Run(plan, np, m, node.RunOptions{Log: log, Out: out, Format: format, Changed: changed, OnEvent: table.onEvent, Signals: sigs})
	switch {
	case errors.Is(err, node.ErrSocketTaken):
		fmt.Fprintf(os.Stderr, "kinit: cannot start: another kinit took %s meanwhile; rendered files were written, no service was started\n", socket)
		return exitTempFail
	case errors.Is(err, node.ErrPlanRejected):
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitConfig
	case err != nil:
		log.Error(err.Error())
		return exitFailed
	}
	return code
}

// earlyExitDrain bounds how long an exit before the services started waits
// for stdout to take the log's last lines.
const earlyExitDrain = 2 * time.Second

func socketAnswers(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("KINIT_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
