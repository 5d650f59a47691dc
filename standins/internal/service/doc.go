// Package service is the Control Center stand-in's plumbing, kept apart from
// its page: a log format like the JVM services' log4j lines, HTTP listeners from
// properties, the broker check at start, and serving until a stop signal.
package service
