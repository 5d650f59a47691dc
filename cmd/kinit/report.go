package main

import (
	"fmt"
	"os"

	"github.com/kinit/kinit/roles"
)

// reportProblems prints every problem, one per line, and returns the exit
// code: 78 for configuration problems, 1 otherwise.
func reportProblems(err error) int {
	for _, p := range roles.Problems(err) {
		fmt.Fprintln(os.Stderr, "kinit: "+p.Error())
	}
	if roles.IsConfigError(err) {
		return exitConfig
	}
	return exitFailed
}

// reportConfigError prints every problem of a config found after loading
// (users, stop timeout, start order), one per line: all are exit 78.
func reportConfigError(err error) int {
	for _, p := range roles.Problems(err) {
		fmt.Fprintln(os.Stderr, "kinit: "+p.Error())
	}
	return exitConfig
}
