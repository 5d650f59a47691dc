// Command kinit is the init and supervisor at PID 1 of a Kafka container.
// main only dispatches; each subcommand lives in its own cmd_<name>.go file
// and registers itself in commands.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	// kinit's environment holds the node's secrets (KINIT_ES_PASSWORD,
	// KAFKA_*_PASSWORD) and, in the image, every service runs as kinit's
	// uid: a dumpable kinit would let any of them read /proc/1/environ,
	// /proc/1/fd and /proc/1/mem or ptrace it. Non-dumpable, those are
	// root's (and need CAP_SYS_PTRACE). Every kinit, not only up: one run
	// by `docker exec` carries the same environment. Children are dumpable
	// again after their execve.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	os.Exit(dispatch(os.Args[1:]))
}

// dispatch picks the subcommand. With no arguments kinit runs the node (up);
// "--" or a leading option that belongs to the single-command mode selects it.
func dispatch(args []string) int {
	if len(args) == 0 {
		return run("up", nil)
	}
	switch a := args[0]; {
	case a == "-h" || a == "--help" || a == "help":
		printHelp(os.Stdout)
		return exitOK
	case a == "--" || isExecFlag(a):
		return run("exec", args)
	case len(a) > 0 && a[0] == '-':
		// Options before a subcommand belong to "up" (kinit --config F).
		return run("up", args)
	default:
		return run(a, args[1:])
	}
}

func run(name string, args []string) int {
	c, ok := commands[name]
	if !ok {
		return usageError("unknown command %q", name)
	}
	return c.run(args)
}

// usageError prints a one-line hint and returns the usage exit code.
func usageError(format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "kinit: "+format+"\n", a...)
	fmt.Fprintln(os.Stderr, "Try 'kinit --help' for more information.")
	return exitUsage
}

// isExecFlag reports options that only the single-command mode takes, so
// "kinit --grace 5s -- cmd" reaches it without a subcommand name.
func isExecFlag(a string) bool {
	return a == "--grace" || strings.HasPrefix(a, "--grace=")
}
