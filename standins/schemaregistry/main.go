package schemaregistry

import (
	"context"
	"io"
	"net/http"

	"github.com/kinit/kinit/standins/internal/service"
)

// Name is the program's name; LoggerName tags its log lines.
const (
	Name       = "kinit-standin-schema-registry"
	LoggerName = "kinit.standin.SchemaRegistry"
)

const about = `kinit's Schema Registry STAND-IN (not Confluent Schema Registry): reads
schema-registry.properties, waits until the Kafka brokers answer a Metadata
request, then serves GET /, /subjects, /config and in-memory schema
registration on the configured listeners until SIGTERM or SIGINT.`

// Main runs the stand-in until ctx is cancelled (the caller cancels it on
// SIGTERM/SIGINT) and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a, code, ok := service.ParseArgs(Name, about, args, stderr)
	if !ok {
		return code
	}
	log := service.NewLogger(stdout, LoggerName)
	cfg, ok := service.LoadConfig(log, a.File, ConfigFrom)
	if !ok {
		return service.ExitConfig
	}
	log.Infof("Schema Registry stand-in starting (config %s, host.name %q, compatibility %s); this is not Confluent Schema Registry",
		a.File, cfg.HostName, cfg.Compatibility)
	return service.Run(ctx, log, service.Start{
		Product:   "Schema Registry stand-in",
		Seeds:     cfg.Seeds,
		Wait:      a.Wait(cfg.InitTimeout),
		Listeners: cfg.Listeners,
		Started:   "Server started",
		Handler:   func(service.Cluster) http.Handler { return NewHandler(cfg.Compatibility) },
	})
}

// RunCommand runs the stand-in as the process (see service.RunCommand).
func RunCommand() { service.RunCommand(Main) }
