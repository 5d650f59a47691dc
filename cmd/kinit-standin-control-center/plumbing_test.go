package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseListeners(t *testing.T) {
	tests := []struct {
		in      []string
		want    []Listener
		wantErr string
	}{
		{[]string{"http://0.0.0.0:8081"}, []Listener{{"http://0.0.0.0:8081", "0.0.0.0:8081"}}, ""},
		{[]string{"http://[::1]:9021", "http://sr-1:8081"}, []Listener{{"http://[::1]:9021", "[::1]:9021"}, {"http://sr-1:8081", "sr-1:8081"}}, ""},
		{nil, nil, "no listeners"},
		{[]string{"https://0.0.0.0:8081"}, nil, "only http"},
		{[]string{"http://host"}, nil, "want http://host:port"},
		{[]string{"http://host:http"}, nil, "invalid port"},
		{[]string{"http://host:99999"}, nil, "bad port"},
	}
	for _, tt := range tests {
		got, err := ParseListeners(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseListeners(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseListeners(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestBootstrapAddrs(t *testing.T) {
	tests := []struct {
		in      []string
		proto   Protocol
		want    []string
		wantErr string
	}{
		{[]string{"b1:9092", "PLAINTEXT://b2:9092", "plaintext://[::1]:9092"}, Plaintext, []string{"b1:9092", "b2:9092", "[::1]:9092"}, ""},
		{[]string{"b1:9093", "SASL_SSL://b2:9093", "sasl_ssl://b3:9093"}, SASLSSL, []string{"b1:9093", "b2:9093", "b3:9093"}, ""},
		{nil, Plaintext, nil, "no bootstrap servers"},
		{[]string{"SSL://b:9093"}, Plaintext, nil, `"SSL://b:9093": its protocol is not PLAINTEXT, the configured confluent.controlcenter.streams.security.protocol`},
		{[]string{"b1:9093", "PLAINTEXT://b:9092"}, SASLSSL, nil, "its protocol is not SASL_SSL"},
		{[]string{"b1"}, Plaintext, nil, "want host:port"},
	}
	for _, tt := range tests {
		got, err := BootstrapAddrs(tt.in, tt.proto)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("BootstrapAddrs(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("BootstrapAddrs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestLoggerFormat(t *testing.T) {
	var b bytes.Buffer
	l := NewLogger(&b, "kinit.standin.X")
	l.now = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 12e6, time.UTC) }
	l.Infof("hello %d", 1)
	l.Warnf("careful")
	l.Errorf("bad")
	want := "[2024-05-06 07:08:09,012] INFO hello 1 (kinit.standin.X)\n" +
		"[2024-05-06 07:08:09,012] WARN careful (kinit.standin.X)\n" +
		"[2024-05-06 07:08:09,012] ERROR bad (kinit.standin.X)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
