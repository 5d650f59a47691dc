package main

import (
	"bufio"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/kinit/kinit/node"
)

func init() {
	register("check", command{
		summary: "validate config and env, print the node, sizing, plan and rendered files; exit 0 or 78",
		usage:   "[--config F] [--no-files]",
		run:     cmdCheck,
	})
}

func cmdCheck(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	config := fs.String("config", "", "config file (default $KINIT_CONFIG or /etc/kinit/kinit.toml)")
	noFiles := fs.Bool("no-files", false, "do not print the content of the rendered files")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageError("check takes no arguments")
	}
	np, err := node.Load(*config)
	if err != nil {
		return reportProblems(err)
	}
	sp, _, err := node.Compile(np, slog.New(slog.DiscardHandler))
	if err != nil {
		return reportConfigError(err)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "config %s: ok\n", np.Config.File)
	for _, n := range np.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	// The services as the plan kinit up runs shows them, gates included.
	node.Describe(w, np.Rendering, sp)
	if !*noFiles {
		fmt.Fprintln(w, "rendered files")
		np.Rendering.DescribeFiles(w)
	}
	return exitOK
}
