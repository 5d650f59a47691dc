// Package service is what the Schema Registry and Control Center stand-ins
// share: a log format like the JVM services' log4j lines, HTTP listeners from
// properties, the broker check at start, and serving until a stop signal.
package service
