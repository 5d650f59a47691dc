package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/supervisor/single"
)

func init() {
	register("exec", command{
		summary: "run one command as a tini-style init (kinit -- CMD)",
		usage:   "[--grace D] -- CMD ...",
		run:     cmdExec,
	})
}

const execHelp = `Usage: kinit [--grace D] -- CMD [ARGS...]
       kinit exec [--grace D] [--] CMD [ARGS...]

Runs CMD in its own process group with kinit's environment and stdio, reaps
every process that dies below kinit, forwards SIGTERM SIGINT SIGHUP SIGQUIT
SIGUSR1 SIGUSR2 SIGWINCH to CMD's process group and exits with CMD's exit
code, or 128+N when CMD was killed by signal N (126: not executable,
127: not found).

Options:
  --grace D   after forwarding SIGTERM or SIGINT, SIGKILL the process group
              if CMD has not exited within D (e.g. 10s, 1m30s)
`

func cmdExec(args []string) int {
	opts, err := parseExecArgs(args)
	switch {
	case errors.Is(err, errHelp):
		fmt.Print(execHelp)
		return exitOK
	case err != nil:
		return usageError("%v", err)
	}
	code, err := single.Run(single.Config{
		Argv:  opts.argv,
		Grace: opts.grace,
		Logf: func(format string, a ...any) {
			fmt.Fprintf(os.Stderr, "kinit: "+format+"\n", a...)
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "kinit: %v\n", err)
	}
	return code
}

type execOptions struct {
	argv  []string
	grace time.Duration
}

var errHelp = errors.New("help requested")

// parseExecArgs reads options up to "--" or the first word that is not an
// option (tini also runs "tini CMD" without "--").
func parseExecArgs(args []string) (execOptions, error) {
	var o execOptions
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.argv = args[i+1:]
		case a == "--grace" || strings.HasPrefix(a, "--grace="):
			v, ok := strings.CutPrefix(a, "--grace=")
			if !ok {
				if i+1 == len(args) {
					return o, errors.New("--grace needs a duration, e.g. --grace 10s")
				}
				i++
				v = args[i]
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return o, fmt.Errorf("invalid --grace %q: want a positive duration such as 10s", v)
			}
			o.grace = d
			continue
		case a == "-h" || a == "--help":
			return o, errHelp
		case strings.HasPrefix(a, "-"):
			return o, fmt.Errorf("unknown option %q for single-command mode", a)
		default:
			o.argv = args[i:]
		}
		break
	}
	if len(o.argv) == 0 || o.argv[0] == "" {
		return o, errors.New("missing command: kinit [--grace D] -- CMD [ARGS...]")
	}
	return o, nil
}
