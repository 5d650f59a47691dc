package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParseLogsArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want logsArgs
		err  string
	}{
		{nil, logsArgs{lines: 100}, ""},
		{[]string{"schema-registry", "-n", "50"}, logsArgs{service: "schema-registry", lines: 50}, ""},
		{[]string{"-n", "50", "schema-registry"}, logsArgs{service: "schema-registry", lines: 50}, ""},
		{[]string{"-f", "zookeeper", "--json"}, logsArgs{service: "zookeeper", lines: 100, follow: true, json: true}, ""},
		{[]string{"-f", "-n", "0"}, logsArgs{lines: 0, follow: true}, ""},
		{[]string{"a", "b"}, logsArgs{}, "at most one service"},
		{[]string{"-n", "-3"}, logsArgs{}, "want 0 or more"},
		{[]string{"-x"}, logsArgs{}, "usage error"},
	} {
		got, err := parseLogsArgs(c.args, io.Discard)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %+v, %v; want error %q", c.args, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
	if _, err := parseLogsArgs([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
