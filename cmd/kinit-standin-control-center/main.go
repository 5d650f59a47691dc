// Command kinit-standin-control-center is a STAND-IN for Confluent Control
// Center, for clusters where the real product is not installed; see
// standins/controlcenter and docs/kafka.md. control-center-start picks it
// when share/java/confluent-control-center has no jars.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kinit/kinit/standins/controlcenter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := controlcenter.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
