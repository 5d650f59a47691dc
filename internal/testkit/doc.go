// Package testkit holds the small helpers that tests of several packages
// share (supervisor, metrics, roles, macros, safefs, test/reload, test/pid1,
// test/up): process state read from /proc, a buffer the processes' writers
// may share, polling for state only /proc or a file shows, a call that must
// not block, the files an operator's path may name by mistake, and reading
// the signals testprog recorded.
package testkit
