package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

func init() {
	register("health", command{
		summary: "exit 0 iff every service of the role is ready (for HEALTHCHECK and probes)",
		run:     cmdHealth,
	})
}

func cmdHealth(args []string) int {
	if len(args) > 0 {
		return usageError("health takes no arguments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := client.New("").Health(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	if !h.Ready {
		fmt.Printf("not ready: %s\n", strings.Join(h.NotReady, ", "))
		return exitFailed
	}
	fmt.Println("ready")
	return exitOK
}
