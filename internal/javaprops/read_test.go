package javaprops

import (
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	tests := []struct {
		name, in  string
		key, want string
		line      int
	}{
		{"equals", "a=b", "a", "b", 1},
		{"colon", "a:b", "a", "b", 1},
		{"space", "a b", "a", "b", 1},
		{"space then equals", "a  =  b c ", "a", "b c ", 1},
		{"second separator kept", "a==b", "a", "=b", 1},
		{"key only", "a", "a", "", 1},
		{"escaped space in key", `my\ key=v`, "my key", "v", 1},
		{"escaped separators in key", `k\=x\:y = v`, "k=x:y", "v", 1},
		{"even backslashes do not continue", "a=b\\\\\nc=d", "a", `b\`, 1},
		{"continuation drops leading space", "a=1,\\\n   2", "a", "1,2", 1},
		{"continuation after crlf", "x=0\r\na=1,\\\r\n 2\r\n", "a", "1,2", 2},
		{"continued line may start with #", "a=1\\\n#2", "a", "1#2", 1},
		{"empty continuation line ends the entry", "a=1\\\n\nb=2", "b", "2", 3},
		{"comment does not continue", "# c\\\na=1", "a", "1", 2},
		{"cr only line ends", "a=1\rb=2", "b", "2", 2},
		{"crlf line ends", "a=1\r\nb=2\r\n", "b", "2", 2},
		{"unicode escape", `a=\u0041\u00DF`, "a", "Aß", 1},
		{"surrogate pair", `a=\ud83d\ude00`, "a", "😀", 1},
		{"unknown escape is the char", `a=\q\\`, "a", `q\`, 1},
		{"leading whitespace before comment", "   # c\na=1", "a", "1", 2},
		{"bang comment", "! a=2\na=1", "a", "1", 2},
		{"trailing backslash at eof", "a=b\\", "a", "b", 1},
		{"trailing backslash before the last line end", "a=b\\\n", "a", "b", 1},
		{"later entry wins", "a=1\nb=0\na=2", "a", "2", 3},
		{"line numbers count continued lines", "a=1\\\n2\\\n3\nb=4", "b", "4", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, line, ok := Get(tt.in, tt.key)
			if !ok || got != tt.want || line != tt.line {
				t.Errorf("Get(%q) = %q, %d, %v; want %q, %d", tt.key, got, line, ok, tt.want, tt.line)
			}
			var raw strings.Builder
			for _, l := range Lines(tt.in) {
				if l.Err != nil {
					t.Errorf("line %d: %v", l.Num, l.Err)
				}
				raw.WriteString(l.Raw)
			}
			if raw.String() != tt.in {
				t.Errorf("Raw joined = %q, want the input", raw.String())
			}
		})
	}
}

func TestLinesKinds(t *testing.T) {
	in := "# c\n\n  \t\nk=v\\\n  w\n!x\n"
	want := []Line{
		{Raw: "# c\n", Num: 1},
		{Raw: "\n", Num: 2},
		{Raw: "  \t\n", Num: 3},
		{Raw: "k=v\\\n  w\n", Num: 4, Entry: true, Key: "k", Value: "vw"},
		{Raw: "!x\n", Num: 6},
	}
	got := Lines(in)
	if len(got) != len(want) {
		t.Fatalf("got %d lines %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestLinesErrors(t *testing.T) {
	tests := []struct {
		in        string
		line      int
		key, want string
	}{
		{"ok=1\nbad=\\u12", 2, "bad", "u12"},
		{"ok=1\n\nbad=\\uZZZZ", 3, "bad", "uZZZZ"},
		{"b\\uXad=1", 1, "buXad", "1"},
	}
	for _, tt := range tests {
		var bad *Line
		for _, l := range Lines(tt.in) {
			if l.Err != nil {
				bad = &l
				break
			}
		}
		if bad == nil || bad.Num != tt.line || bad.Key != tt.key || bad.Value != tt.want {
			t.Errorf("Lines(%q): first error %+v, want one on line %d reading %q=%q", tt.in, bad, tt.line, tt.key, tt.want)
		}
	}
}

func FuzzLines(f *testing.F) {
	f.Add("a=b\nc:d\\\n  e\n#x\n")
	f.Add(`k\ey=\u0041\t`)
	f.Add("a=1\r\nb\\\r\n 2\r")
	f.Fuzz(func(t *testing.T, in string) {
		var raw strings.Builder
		prev := 0
		for _, l := range Lines(in) {
			if l.Num <= prev {
				t.Fatalf("line %d follows line %d", l.Num, prev)
			}
			prev = l.Num
			raw.WriteString(l.Raw)
		}
		if raw.String() != in {
			t.Fatalf("Raw joined = %q, want %q", raw.String(), in)
		}
	})
}
