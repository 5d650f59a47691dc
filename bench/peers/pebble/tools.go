//go:build tools

// Package pebble pins Canonical's Pebble, a benchmark peer of kinit's
// supervisor (make bench-supervisor builds it from this module). The proxy
// here refuses Pebble's version list, which `go install pkg@version`
// asks for, so the pin is a go.mod of its own.
package pebble

import _ "github.com/canonical/pebble/cmd/pebble"
