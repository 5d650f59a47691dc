// Package schemaregistry is kinit's Schema Registry stand-in: a small
// program, not Confluent Schema Registry, that lets a kinit cluster with a
// schema-registry service run where the real product cannot be installed.
//
// It reads the same schema-registry.properties the real one would
// (listeners, kafkastore.bootstrap.servers or kafkastore.connection.url,
// host.name, schema.compatibility.level, kafkastore.init.timeout.ms), refuses
// to start until a Kafka Metadata request to the brokers succeeds, then
// answers the REST endpoints health probes and simple clients use: GET /,
// GET /subjects, GET|PUT /config, schema registration and lookup. Schemas
// live in memory only and no compatibility check is made.
package schemaregistry
