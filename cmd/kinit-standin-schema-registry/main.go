// Command kinit-standin-schema-registry is a STAND-IN for Confluent Schema
// Registry, for clusters where the real product is not installed; see
// standins/schemaregistry and docs/kafka.md. schema-registry-start picks it
// when share/java/schema-registry has no jars.
package main

import "github.com/kinit/kinit/standins/schemaregistry"

func main() { schemaregistry.RunCommand() }
