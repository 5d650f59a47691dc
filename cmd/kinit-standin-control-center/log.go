package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Logger writes lines in the shape of the Kafka log4j pattern kinit's
// rootfs uses, "[2006-01-02 15:04:05,000] LEVEL message (logger)", so a
// stand-in's output reads like the real service's next to it.
type Logger struct {
	mu   sync.Mutex
	w    io.Writer
	name string
	now  func() time.Time
}

// NewLogger returns a logger writing to w under the logger name name.
func NewLogger(w io.Writer, name string) *Logger {
	return &Logger{w: w, name: name, now: time.Now}
}

// Infof logs at INFO.
func (l *Logger) Infof(format string, args ...any) { l.log("INFO", format, args...) }

// Warnf logs at WARN.
func (l *Logger) Warnf(format string, args ...any) { l.log("WARN", format, args...) }

// Errorf logs at ERROR.
func (l *Logger) Errorf(format string, args ...any) { l.log("ERROR", format, args...) }

func (l *Logger) log(level, format string, args ...any) {
	ts := l.now().Format("2006-01-02 15:04:05.000")
	ts = ts[:19] + "," + ts[20:]
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "[%s] %s %s (%s)\n", ts, level, fmt.Sprintf(format, args...), l.name)
}
