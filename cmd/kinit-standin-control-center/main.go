// Command kinit-standin-control-center is a STAND-IN for Confluent Control
// Center, for clusters where the real product is not installed; see
// standins/controlcenter and docs/kafka.md. control-center-start picks it
// when share/java/confluent-control-center has no jars.
package main

import "github.com/kinit/kinit/standins/controlcenter"

func main() { controlcenter.RunCommand() }
