package controlcenter

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/kinit/kinit/standins/internal/service"
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
	cfg, ok := service.LoadConfig(log, a.File, ConfigFrom)
	if !ok {
		return service.ExitConfig
	}
	log.Infof("Control Center stand-in starting (config %s, id %s); this is not Confluent Control Center", a.File, cfg.ID)
	return service.Run(ctx, log, service.Start{
		Product:   "Control Center stand-in",
		Bootstrap: cfg.Bootstrap,
		Wait:      a.Wait(DefaultBrokerWait),
		Listeners: cfg.Listeners,
		Started:   "Started Control Center stand-in",
		Handler: func(cluster service.Cluster) http.Handler {
			describe := func(ctx context.Context) (service.Cluster, error) { return service.Describe(ctx, cfg.Bootstrap) }
			return NewHandler(cfg, cluster, time.Now(), describe)
		},
	})
}

// RunCommand runs the stand-in as the process (see service.RunCommand).
func RunCommand() { service.RunCommand(Main) }
