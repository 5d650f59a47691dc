package cluster

import (
	"maps"
	"strconv"
	"strings"
	"testing"
)

// logLine is one line of kinit's own log (slog text, tagged source=kinit)
// with its position in the whole output.
type logLine struct {
	N     int // line number in the output, 0-based
	Msg   string
	Attrs map[string]string
}

// kinitLog parses kinit's own lines out of its output; service lines
// ("<service> | …") and the status table are skipped.
func kinitLog(out string) []logLine {
	var lines []logLine
	for i, l := range strings.Split(out, "\n") {
		// A terminal ends lines with \r\n and echoes Ctrl-C as ^C.
		l = strings.TrimPrefix(strings.TrimSuffix(l, "\r"), "^C")
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, " source=kinit") {
			continue
		}
		attrs := parseAttrs(l)
		lines = append(lines, logLine{N: i, Msg: attrs["msg"], Attrs: attrs})
	}
	return lines
}

// parseAttrs reads slog's text format: key=value pairs separated by
// spaces, values quoted Go-style when they need it.
func parseAttrs(l string) map[string]string {
	attrs := map[string]string{}
	for l != "" {
		l = strings.TrimLeft(l, " ")
		k, rest, ok := strings.Cut(l, "=")
		if !ok {
			break
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				break
			}
			v, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			v, rest, _ = strings.Cut(rest, " ")
		}
		attrs[k] = v
		l = rest
	}
	return attrs
}

// first is the line number of the first kinit line with exactly msg, -1
// when there is none.
func first(lines []logLine, msg string) int {
	for _, l := range lines {
		if l.Msg == msg {
			return l.N
		}
	}
	return -1
}

// firstPrefix is first for a message prefix, returning the line too.
func firstPrefix(lines []logLine, prefix string) (logLine, bool) {
	for _, l := range lines {
		if strings.HasPrefix(l.Msg, prefix) {
			return l, true
		}
	}
	return logLine{N: -1}, false
}

func TestParseAttrs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want map[string]string
	}{
		{
			`time=2026-11-25T16:22:23.777Z level=WARN msg="service \"kafka-broker\" stopped: killed by signal 9 (SIGKILL)" source=kinit service=kafka-broker pid=20959`,
			map[string]string{"time": "2026-11-25T16:22:23.777Z", "level": "WARN", "msg": `service "kafka-broker" stopped: killed by signal 9 (SIGKILL)`,
				"source": "kinit", "service": "kafka-broker", "pid": "20959"},
		},
		{
			`time=2026-11-25T16:22:17.654Z level=INFO msg="starting services" source=kinit services=4 lanes="[[zookeeper] [kafka-broker]]"`,
			map[string]string{"time": "2026-11-25T16:22:17.654Z", "level": "INFO", "msg": "starting services", "source": "kinit",
				"services": "4", "lanes": "[[zookeeper] [kafka-broker]]"},
		},
		{`time=x msg=plain`, map[string]string{"time": "x", "msg": "plain"}},
	} {
		if got := parseAttrs(tc.line); !maps.Equal(got, tc.want) {
			t.Errorf("parseAttrs(%q)\n got %q\nwant %q", tc.line, got, tc.want)
		}
	}
	out := "zookeeper | [x] INFO hello\n" +
		`time=t level=INFO msg="stopping service \"zookeeper\"" source=kinit service=zookeeper` + "\n" +
		`time=t level=INFO msg="all services stopped" source=kinit exit_code=0` + "\n"
	lines := kinitLog(out)
	if len(lines) != 2 || lines[0].N != 1 || lines[1].Attrs["exit_code"] != "0" || first(lines, "all services stopped") != 2 {
		t.Errorf("kinitLog: %+v", lines)
	}
}
