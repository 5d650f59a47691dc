// Package testkit holds the small helpers that tests of several packages
// share (supervisor, metrics, test/reload, test/pid1, test/up):
// process state read from /proc, a buffer the processes' writers may share,
// polling for state only /proc or a file shows, and reading the signals
// testprog recorded.
package testkit
