package schemaregistry

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/standins/internal/service"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func writeProps(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "schema-registry.properties")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMainExitCodes(t *testing.T) {
	dead := closedPort(t)
	tests := []struct {
		name string
		args []string
		code int
		log  string // expected in stdout or stderr
	}{
		{"no args", nil, service.ExitUsage, "usage: kinit-standin-schema-registry"},
		{"two files", []string{"a", "b"}, service.ExitUsage, "usage:"},
		{"help", []string{"-h"}, service.ExitOK, "STAND-IN"},
		{"missing file", []string{"/nonexistent/sr.properties"}, service.ExitConfig, "cannot read properties"},
		{"bad config", []string{writeProps(t, "listeners=ftp://x:1\nkafkastore.bootstrap.servers=b:1\n")}, service.ExitConfig, "invalid configuration"},
		{"brokers unreachable", []string{writeProps(t, "listeners=http://127.0.0.1:0\nkafkastore.bootstrap.servers="+dead+"\nkafkastore.init.timeout.ms=1500\n")},
			service.ExitFailed, "cannot reach kafka brokers " + dead + " within 1.5s"},
		{"flag overrides init timeout", []string{"-broker-wait", "1s", writeProps(t, "kafkastore.bootstrap.servers="+dead+"\n")},
			service.ExitFailed, "within 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String()+errOut.String(), tt.log) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tt.log, out.String(), errOut.String())
			}
		})
	}
}

// A stop while still waiting for the brokers is a clean stop, not a failure.
func TestMainStopWhileWaiting(t *testing.T) {
	path := writeProps(t, "kafkastore.bootstrap.servers="+closedPort(t)+"\n")
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan int)
	go func() { done <- Main(ctx, []string{path}, &out, &out) }()
	time.Sleep(200 * time.Millisecond) // let it enter the wait; either way the result must be 0
	cancel()
	select {
	case code := <-done:
		if code != service.ExitOK {
			t.Errorf("exit code %d after a stop, want 0\n%s", code, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Main did not return after the stop")
	}
}
