package main

import "errors"

// Config is what the stand-in takes from control-center.properties.
type Config struct {
	Listeners         []Listener
	Bootstrap         []string // host:port
	Security          Security
	SchemaRegistryURL string
	ID                string
	ZooKeeper         string
}

// ConfigFrom reads the properties the stand-in honours, with the real
// product's defaults: listener http://0.0.0.0:9021, bootstrap
// localhost:9092, PLAINTEXT. Every problem is in the error (errors.Join),
// so one start shows all that must be fixed.
func ConfigFrom(p *Properties) (Config, error) {
	var c Config
	var errs []error
	def := []string{"http://0.0.0.0:9021"}
	if port := p.String("confluent.controlcenter.rest.port", ""); port != "" {
		def = []string{"http://0.0.0.0:" + port}
	}
	ls, err := ParseListeners(p.List("confluent.controlcenter.rest.listeners", def))
	if err != nil {
		errs = append(errs, p.Errorf("confluent.controlcenter.rest.listeners", "%v", err))
	}
	c.Listeners = ls
	sec, serrs := SecurityFrom(p)
	errs = append(errs, serrs...)
	c.Security = sec
	addrs, err := BootstrapAddrs(p.List("bootstrap.servers", []string{"localhost:9092"}), sec.Protocol)
	if err != nil {
		errs = append(errs, p.Errorf("bootstrap.servers", "%v", err))
	}
	c.Bootstrap = addrs
	c.SchemaRegistryURL = p.String("confluent.controlcenter.schema.registry.url", "")
	if err := checkRegistryURL(c.SchemaRegistryURL); err != nil {
		errs = append(errs, p.Errorf("confluent.controlcenter.schema.registry.url", "%v", err))
	}
	c.ID = p.String("confluent.controlcenter.id", "1")
	c.ZooKeeper = p.String("zookeeper.connect", "")
	return c, errors.Join(errs...)
}
