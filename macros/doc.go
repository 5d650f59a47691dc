// Package macros turns a resolved node (package roles) into its Rendering: the
// value of every macro for this node, each service's command, environment,
// waits and probe with macros expanded, JVM sizing from the container's
// limits, and every template rendered in memory with its autogen rules and
// environment overrides applied. Build does all of that without writing
// anything; Rendering.Write then writes the files atomically. Like roles, the
// package starts no process and no goroutine.
package macros
