package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

func init() {
	for _, a := range []struct{ name, summary string }{
		{"start", "start a stopped or failed service"},
		{"stop", "stop a service (it stays down until started)"},
		{"restart", "stop a service and start it again"},
	} {
		register(a.name, command{summary: a.summary, usage: "SERVICE", run: ctl(a.name)})
	}
}

func ctl(action string) func([]string) int {
	return func(args []string) int {
		if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
			return usageError("%s takes one service id", action)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := client.New("").Act(ctx, action, args[0]); err != nil {
			fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
			return exitFailed
		}
		fmt.Printf("%s: %s requested\n", args[0], action)
		return exitOK
	}
}
