package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

func init() {
	register("logs", command{
		summary: "recent output of one service (or all, merged) from kinit's rings; -f follows it",
		usage:   "[SERVICE] [-f] [-n N] [--json]",
		run:     cmdLogs,
	})
}

type logsArgs struct {
	service string
	follow  bool
	lines   int
	json    bool
}

// parseLogsArgs takes the service name anywhere among the options
// (`kinit logs schema-registry -n 50` as well as `kinit logs -n 50 schema-registry`).
func parseLogsArgs(args []string, stderr io.Writer) (logsArgs, error) {
	var a logsArgs
	fs := flag.NewFlagSet("logs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&a.follow, "f", false, "follow: print new lines as they come, until Ctrl-C")
	fs.BoolVar(&a.follow, "follow", false, "same as -f")
	fs.IntVar(&a.lines, "n", 100, "print the last N lines (0: none, only what follows)")
	fs.BoolVar(&a.json, "json", false, "print NDJSON lines {time, service, stream, line} (see docs/supervision.md)")
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return a, err
			}
			return a, errUsagePrinted
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(names) > 1:
		return a, fmt.Errorf("logs takes at most one service, got %d (%v)", len(names), names)
	case a.lines < 0:
		return a, fmt.Errorf("-n %d: want 0 or more lines", a.lines)
	}
	if len(names) == 1 {
		a.service = names[0]
	}
	return a, nil
}

func cmdLogs(args []string) int {
	a, err := parseLogsArgs(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, errUsagePrinted) {
		return exitUsage
	}
	if err != nil {
		return usageError("%s", err.Error())
	}
	// Ctrl-C leaves the command; kinit and its services go on.
	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGINT, unix.SIGTERM)
	defer stop()
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	defer out.Flush()
	enc := json.NewEncoder(out)
	err = client.New("").Logs(ctx, client.LogsOptions{Service: a.service, Lines: a.lines, Follow: a.follow}, func(l client.LogLine) error {
		if a.json {
			_ = enc.Encode(l)
		} else {
			fmt.Fprintf(out, "%s | %s\n", l.Service, l.Line)
		}
		if a.follow {
			return out.Flush()
		}
		return nil
	})
	switch {
	case err == nil, ctx.Err() != nil:
		return exitOK
	case errors.Is(err, client.ErrStreamEnded):
		out.Flush()
		fmt.Fprintln(os.Stderr, "kinit: the log stream ended (kinit stopped, or this reader fell behind)")
		return exitFailed
	}
	out.Flush()
	fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
	return exitFailed
}

// errUsagePrinted is a usage error the flag package has already printed.
var errUsagePrinted = errors.New("usage error")
