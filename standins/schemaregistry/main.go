package schemaregistry

import (
	"context"
	"io"
	"strings"

	"github.com/kinit/kinit/standins/internal/service"
	"github.com/kinit/kinit/standins/properties"
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
	p, err := properties.Load(a.File)
	if err != nil {
		log.Errorf("%v", err)
		return service.ExitConfig
	}
	cfg, err := ConfigFrom(p)
	if err != nil {
		log.Errorf("invalid configuration: %v", err)
		return service.ExitConfig
	}
	wait := cfg.InitTimeout
	if a.BrokerWait > 0 {
		wait = a.BrokerWait
	}
	log.Infof("Schema Registry stand-in starting (config %s, host.name %q, compatibility %s); this is not Confluent Schema Registry",
		a.File, cfg.HostName, cfg.Compatibility)

	cluster, err := service.WaitForBrokers(ctx, log, cfg.Seeds, wait)
	if err != nil {
		if ctx.Err() != nil {
			log.Infof("stopped before the brokers answered")
			return service.ExitOK
		}
		log.Errorf("%v", err)
		return service.ExitFailed
	}
	log.Infof("kafka cluster %q reachable: brokers %v, controller %d", cluster.ID, cluster.Brokers, cluster.Controller)

	lns, err := service.Listen(cfg.Listeners)
	if err != nil {
		log.Errorf("%v", err)
		return service.ExitFailed
	}
	urls := make([]string, len(cfg.Listeners))
	for i, l := range cfg.Listeners {
		urls[i] = l.URL
	}
	log.Infof("Server started, listening for requests on %s", strings.Join(urls, ","))
	if err := service.Serve(ctx, lns, NewHandler(cfg.Compatibility)); err != nil {
		log.Errorf("%v", err)
		return service.ExitFailed
	}
	log.Infof("Schema Registry stand-in shut down")
	return service.ExitOK
}
