package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// MainFunc is a stand-in's Main: it runs until ctx is cancelled and returns
// the process exit code.
type MainFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// RunCommand runs run as the process: os.Args and stdio, stopped by
// SIGTERM or SIGINT, exiting with run's code.
func RunCommand(run MainFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// LoadConfig reads the properties file and makes a stand-in's config of it
// with from. ok is false when either failed (logged; exit with ExitConfig).
func LoadConfig[C any](log *Logger, file string, from func(*Properties) (C, error)) (cfg C, ok bool) {
	p, err := Load(file)
	if err != nil {
		log.Errorf("%v", err)
		return cfg, false
	}
	cfg, err = from(p)
	if err != nil {
		// One line per problem (from errors.Join), each in the log format.
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			log.Errorf("invalid configuration: %v", e)
		}
		return cfg, false
	}
	return cfg, true
}

// Wait is how long to wait for the brokers: -broker-wait, else def.
func (a Args) Wait(def time.Duration) time.Duration {
	if a.BrokerWait > 0 {
		return a.BrokerWait
	}
	return def
}

// Start is how a configured stand-in comes up.
type Start struct {
	Product   string   // for the log: "Control Center stand-in"
	Bootstrap []string // host:port
	Security  Security
	Wait      time.Duration
	Listeners []Listener
	// Started opens the line logged once every listener is bound, worded
	// as the real product words it ("Server started").
	Started string
	// Handler serves the requests; it is made once listening, with what
	// the brokers said at start.
	Handler func(Cluster) http.Handler
}

// Run waits for the brokers, binds every listener, logs that it started,
// then serves until ctx is done, and returns the process exit code. A stop
// before the brokers answered is a clean stop.
func Run(ctx context.Context, log *Logger, s Start) int {
	cluster, err := WaitForBrokers(ctx, log, s.Bootstrap, s.Security, s.Wait)
	if err != nil {
		if ctx.Err() != nil {
			log.Infof("stopped before the brokers answered")
			return ExitOK
		}
		log.Errorf("%v", err)
		return ExitFailed
	}
	log.Infof("kafka cluster %q reachable: brokers %v, controller %d", cluster.ID, cluster.Brokers, cluster.Controller)

	lns, err := Listen(s.Listeners)
	if err != nil {
		log.Errorf("%v", err)
		return ExitFailed
	}
	urls := make([]string, len(s.Listeners))
	for i, l := range s.Listeners {
		urls[i] = l.URL
	}
	log.Infof("%s, listening for requests on %s", s.Started, strings.Join(urls, ","))
	if err := Serve(ctx, lns, s.Handler(cluster)); err != nil {
		log.Errorf("%v", err)
		return ExitFailed
	}
	log.Infof("%s shut down", s.Product)
	return ExitOK
}
