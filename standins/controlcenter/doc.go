// Package controlcenter is kinit's Control Center stand-in: a small program,
// not Confluent Control Center, so a gateway node of a kinit cluster has a
// service to run where the real product cannot be installed.
//
// It reads control-center.properties (bootstrap.servers,
// confluent.controlcenter.rest.listeners or .rest.port,
// confluent.controlcenter.schema.registry.url, confluent.controlcenter.id,
// zookeeper.connect), refuses to start until a Kafka Metadata request to the
// brokers succeeds, then serves a status page on GET / and a live check of
// the brokers on GET /health.
package controlcenter
