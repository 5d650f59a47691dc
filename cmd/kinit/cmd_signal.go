package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

func init() {
	register("signal", command{
		summary: "send a signal to one service's process group (e.g. kinit signal kafka-broker QUIT)",
		usage:   "SERVICE SIGNAL",
		run:     cmdSignal,
	})
}

func cmdSignal(args []string) int {
	if len(args) != 2 || args[0] == "" || args[0][0] == '-' {
		return usageError("signal takes a service id and a signal (QUIT, SIGHUP, 10, ...)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := client.New("").Signal(ctx, args[0], args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	fmt.Printf("%s: %s sent\n", args[0], args[1])
	return exitOK
}
