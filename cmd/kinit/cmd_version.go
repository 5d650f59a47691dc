package main

import (
	"fmt"
	"runtime"
)

// Stamped by the Makefile through -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

func init() {
	register("version", command{summary: "print version, commit and Go version", run: cmdVersion})
}

func cmdVersion(args []string) int {
	if len(args) > 0 {
		return usageError("version takes no arguments")
	}
	fmt.Printf("kinit %s (commit %s, %s %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
