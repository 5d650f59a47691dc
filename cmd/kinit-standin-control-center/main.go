// Command kinit-standin-control-center is kinit's STAND-IN for Confluent
// Control Center: a small program, not Control Center, so a gateway node of a
// kinit cluster has a service to run where the real product cannot be
// installed. control-center-start picks it when
// share/java/confluent-control-center has no jars (docs/kafka.md).
//
// It reads control-center.properties (bootstrap.servers,
// confluent.controlcenter.rest.listeners or .rest.port,
// confluent.controlcenter.schema.registry.url, confluent.controlcenter.id,
// zookeeper.connect, and the Kafka client's security settings under
// confluent.controlcenter.streams.: security.protocol, sasl.mechanism,
// sasl.jaas.config, ssl.truststore.*, ssl.keystore.*), refuses to start until a Kafka Metadata request to the
// brokers succeeds, then serves a cluster page on GET / (brokers, the
// controller or KRaft quorum, topics, unhealthy partitions, consumer group
// lag with a plot of the last minutes, schema registry subjects, every
// kinit node's state), the same data as JSON on GET /api/cluster and a
// live check of the brokers on GET /health.
//
// One package holds the whole stand-in: the page and its config (handler.go,
// web/, view.go, plot.go, config.go), the background sampling it shows
// (monitor.go, kafka.go, subjects.go, nodes.go, history.go), the Kafka security settings (security.go, jaas.go,
// refused.go), the schema registry check (registry.go), the plumbing (a log format like the JVM services' log4j lines,
// HTTP listeners from properties, the broker check at start, serving until a
// stop signal: log.go, listeners.go, brokers.go, start.go, serve.go, cli.go)
// and the properties file reader (properties.go).
package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"
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
request, then serves a cluster page on GET /, its data as JSON on
GET /api/cluster and a live broker check on GET /health until SIGTERM or
SIGINT. Every kinit node's state comes from its KINIT_STATUS_LISTEN port
(the nodes from KINIT_NODES or KINIT_NODES_FILE).`

func main() { RunCommand(Main) }

// Main runs the stand-in until ctx is cancelled (the caller cancels it on
// SIGTERM/SIGINT) and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a, code, ok := ParseArgs(Name, about, args, stderr)
	if !ok {
		return code
	}
	log := NewLogger(stdout, LoggerName)
	cfg, ok := LoadConfig(log, a.File, ConfigFrom)
	if !ok {
		return ExitConfig
	}
	log.Infof("Control Center stand-in starting (config %s, id %s); this is not Confluent Control Center", a.File, cfg.ID)
	log.Infof("kafka security: %s", cfg.Security)
	nodes, err := NodesFromEnv(os.Getenv)
	if err != nil {
		log.Errorf("invalid configuration: %v", err)
		return ExitConfig
	}
	mon, err := NewMonitor(cfg, nodes)
	if err != nil {
		log.Errorf("%v", err)
		return ExitFailed
	}
	return Run(ctx, log, Start{
		Product:   "Control Center stand-in",
		Bootstrap: cfg.Bootstrap,
		Security:  cfg.Security,
		Wait:      a.Wait(DefaultBrokerWait),
		Listeners: cfg.Listeners,
		Started:   "Started Control Center stand-in",
		Handler: func(cluster Cluster) http.Handler {
			describe := func(ctx context.Context) (Cluster, error) { return Describe(ctx, cfg.Bootstrap, cfg.Security) }
			go mon.Run(ctx)
			return NewHandler(cfg, cluster, time.Now(), describe, mon.Latest)
		},
	})
}
