package supervisor

import (
	"io"
	"log/slog"
)

// NewLogger returns the logger for kinit's own messages: slog text or JSON
// lines (format LogJSON) tagged with source=kinit, so they stand apart from
// the services' output ("<service> | <line>" or JSON with "service").
func NewLogger(w io.Writer, format string, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == LogJSON {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(h).With("source", "kinit")
}
