package main

import (
	"flag"
	"fmt"
	"io"
	"time"
)

// Exit codes, the same as kinit's own.
const (
	ExitOK     = 0
	ExitFailed = 1  // brokers unreachable, a port taken, serving failed
	ExitUsage  = 2  // bad command line
	ExitConfig = 78 // the properties file is missing or wrong
)

// Args is a stand-in's command line: one properties file, as the real
// product's start script passes it, and optional flags before it.
type Args struct {
	File string
	// BrokerWait overrides how long to wait for the brokers at start; zero
	// means the product's own default.
	BrokerWait time.Duration
}

// ParseArgs parses "[-broker-wait D] FILE". ok is false when the program
// should exit with code (after -h, or a usage error already printed).
func ParseArgs(prog, about string, args []string, stderr io.Writer) (a Args, code int, ok bool) {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&a.BrokerWait, "broker-wait", 0, "how long to wait for the Kafka brokers at start (default: from the properties, else 60s)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [-broker-wait DURATION] FILE.properties\n\n%s\n\nFlags:\n", prog, about)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return a, ExitOK, false
		}
		return a, ExitUsage, false
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return a, ExitUsage, false
	}
	a.File = fs.Arg(0)
	return a, 0, true
}
