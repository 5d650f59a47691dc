package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadSample(t *testing.T) {
	p, err := Load("testdata/sample.properties")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, want string
		line      int
	}{
		{"listeners", "http://0.0.0.0:8081", 4},
		{"host.name", "sr-1", 5},
		{"kafkastore.bootstrap.servers", "PLAINTEXT://b1:9092,PLAINTEXT://b2:9092", 6},
		{"key=with:seps", "vé\t!", 8},
		{"empty", "", 9},
		{"dup", "2", 11},
		{"win.line.end", "yes", 12},
		{"last", "no-newline", 13},
	}
	for _, tt := range tests {
		got, ok := p.Get(tt.key)
		if !ok || got != tt.want {
			t.Errorf("Get(%q) = %q, %v; want %q", tt.key, got, ok, tt.want)
		}
		if l := p.Line(tt.key); l != tt.line {
			t.Errorf("Line(%q) = %d, want %d", tt.key, l, tt.line)
		}
	}
	if n := len(p.Keys()); n != len(tests) {
		t.Errorf("got %d keys %q, want %d", n, p.Keys(), len(tests))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ok=1\nbad=\\u12", "t.properties:2: "},
		{"ok=1\n\nbad=\\uZZZZ", "t.properties:3: "},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.in), "t.properties")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want prefix %q", tt.in, err, tt.want)
		}
	}
}

func TestAccessors(t *testing.T) {
	p, err := Parse(strings.NewReader("list= a, ,b ,\nblank=  \nms=1500\nbadms=soon\n"), "x.properties")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.List("list", nil); strings.Join(got, "|") != "a|b" {
		t.Errorf("List = %q", got)
	}
	if got := p.List("blank", []string{"d"}); len(got) != 1 || got[0] != "d" {
		t.Errorf("List(blank) = %q, want the default", got)
	}
	if got := p.String("blank", "def"); got != "def" {
		t.Errorf("String(blank) = %q", got)
	}
	if d, err := p.Millis("ms", 0); err != nil || d != 1500*time.Millisecond {
		t.Errorf("Millis(ms) = %v, %v", d, err)
	}
	if d, err := p.Millis("unset", time.Second); err != nil || d != time.Second {
		t.Errorf("Millis(unset) = %v, %v", d, err)
	}
	if _, err := p.Millis("badms", 0); err == nil || !strings.HasPrefix(err.Error(), "x.properties:4: badms: ") {
		t.Errorf("Millis(badms) error = %v", err)
	}
	if _, err := Load("testdata/missing.properties"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
