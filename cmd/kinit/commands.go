package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
)

type command struct {
	summary string
	usage   string // arguments, shown in help
	run     func(args []string) int
}

// commands is filled by the init functions of the cmd_<name>.go files.
var commands = map[string]command{}

func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("kinit: command registered twice: " + name)
	}
	commands[name] = c
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "kinit - init and supervisor for Kafka containers")
	fmt.Fprintln(w, "\nUsage:")
	fmt.Fprintln(w, "  kinit [up options]          run this node's services (default)")
	fmt.Fprintln(w, "  kinit [--grace D] -- CMD [ARGS...]  run one command as a tini-style init")
	fmt.Fprintln(w, "  kinit COMMAND [ARGS...]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(tw, "  %s %s\t%s\n", n, c.usage, c.summary)
	}
	tw.Flush()
	printExitCodes(w)
}
