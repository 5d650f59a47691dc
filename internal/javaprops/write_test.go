package javaprops

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ key, value, want string }{
		{"broker.id", "7", "broker.id=7"},
		{"odd key=", " leading space", `odd\ key\==\ leading space`},
		{"#k!:", "a=b:c#d!", `\#k\!\:=a=b:c#d!`},
		{"sasl.jaas.config", "x required\nusername=\"é\" ;", `sasl.jaas.config=x required\nusername="\u00e9" ;`},
		{"tabs", "\ta\r\f\\", `tabs=\ta\r\f\\`},
		{"astral", "a😀", `astral=a\ud83d\ude00`},
	}
	for _, tt := range tests {
		if got := EscapeKey(tt.key) + "=" + EscapeValue(tt.value); got != tt.want {
			t.Errorf("escape(%q, %q) = %s, want %s", tt.key, tt.value, got, tt.want)
		}
	}
}

// FuzzEscape: whatever kinit writes reads back as the same key and value.
func FuzzEscape(f *testing.F) {
	f.Add("odd key=", " leading space")
	f.Add("#!:", "x\r\ny\\")
	f.Add("k", "é😀\u0000")
	f.Fuzz(func(t *testing.T, key, value string) {
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			return // written as U+FFFD
		}
		text := "# c\n" + EscapeKey(key) + "=" + EscapeValue(value) + "\n"
		lines := Lines(text)
		if len(lines) != 2 || !lines[1].Entry || lines[1].Key != key || lines[1].Value != value || lines[1].Err != nil {
			t.Fatalf("%q=%q wrote %q, which reads back as %+v", key, value, text, lines)
		}
	})
}
