package controlcenter

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/kinit/kinit/standins/internal/service"
	"github.com/kinit/kinit/standins/properties"
)

// Name is the program's name; LoggerName tags its log lines.
const (
	Name       = "kinit-standin-control-center"
	LoggerName = "kinit.standin.ControlCenter"
)

// DefaultBrokerWait is how long the stand-in waits for the brokers at start
// unless -broker-wait says otherwise.
const DefaultBrokerWait = 60 * time.Second

const about = `kinit's Control Center STAND-IN (not Confluent Control Center): reads
control-center.properties, waits until the Kafka brokers answer a Metadata
request, then serves a status page on GET / and a live broker check on
GET /health until SIGTERM or SIGINT.`

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
	wait := DefaultBrokerWait
	if a.BrokerWait > 0 {
		wait = a.BrokerWait
	}
	log.Infof("Control Center stand-in starting (config %s, id %s); this is not Confluent Control Center", a.File, cfg.ID)

	cluster, err := service.WaitForBrokers(ctx, log, service.Seeds{Bootstrap: cfg.Bootstrap}, wait)
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
	describe := func(ctx context.Context) (service.Cluster, error) { return service.Describe(ctx, cfg.Bootstrap) }
	log.Infof("Started Control Center stand-in, listening for requests on %s", strings.Join(urls, ","))
	if err := service.Serve(ctx, lns, NewHandler(cfg, cluster, time.Now(), describe)); err != nil {
		log.Errorf("%v", err)
		return service.ExitFailed
	}
	log.Infof("Control Center stand-in shut down")
	return service.ExitOK
}
