package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Exit codes shared by every subcommand. exitCodes is the one list of them,
// printed by `kinit --help`; README "Exit codes" says the same.
const (
	exitOK       = 0
	exitFailed   = 1  // a required service failed for good
	exitUsage    = 2  // command-line usage error
	exitTempFail = 75 // another kinit runs this node (EX_TEMPFAIL): retry once it stopped
	exitConfig   = 78 // configuration error, nothing started (EX_CONFIG)
	exitNoExec   = 126
	exitNotFound = 127
)

var exitCodes = []struct {
	code    string
	meaning string
}{
	{"0", "every service stopped cleanly"},
	{"1", "a required service failed for good, or a process had to be killed at stop"},
	{"2", "command-line usage error"},
	{"75", "another kinit is running this node (its control socket answers); nothing started"},
	{"78", "configuration error; nothing started and nothing written"},
	{"126", "single-command mode: the command is not executable"},
	{"127", "single-command mode: the command was not found"},
	{"128+N", "single-command mode: the child was killed by signal N"},
}

func printExitCodes(w io.Writer) {
	fmt.Fprintln(w, "\nExit codes:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range exitCodes {
		fmt.Fprintf(tw, "  %s\t%s\n", e.code, e.meaning)
	}
	tw.Flush()
}
