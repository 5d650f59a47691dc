package main

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseExecArgs(t *testing.T) {
	tests := []struct {
		args  []string
		argv  []string
		grace time.Duration
		err   string // "" for success, "help" for errHelp
	}{
		{args: []string{"--", "sh", "-c", "exit 7"}, argv: []string{"sh", "-c", "exit 7"}},
		{args: []string{"--grace", "1s", "--", "sleep", "9"}, argv: []string{"sleep", "9"}, grace: time.Second},
		{args: []string{"--grace=1m30s", "--", "x"}, argv: []string{"x"}, grace: 90 * time.Second},
		{args: []string{"sleep", "--grace", "1s"}, argv: []string{"sleep", "--grace", "1s"}},
		{args: []string{"--", "--grace", "1s"}, argv: []string{"--grace", "1s"}},
		{args: []string{"--", "-x"}, argv: []string{"-x"}},
		{args: []string{"--help"}, err: "help"},
		{args: []string{"--grace", "1s", "-h", "--", "x"}, err: "help"},
		{args: nil, err: "missing command: kinit [--grace D] -- CMD [ARGS...]"},
		{args: []string{"--"}, err: "missing command: kinit [--grace D] -- CMD [ARGS...]"},
		{args: []string{"--", ""}, err: "missing command: kinit [--grace D] -- CMD [ARGS...]"},
		{args: []string{"--grace"}, err: "--grace needs a duration, e.g. --grace 10s"},
		{args: []string{"--grace", "10", "--", "x"}, err: `invalid --grace "10": want a positive duration such as 10s`},
		{args: []string{"--grace=-1s", "--", "x"}, err: `invalid --grace "-1s": want a positive duration such as 10s`},
		{args: []string{"--grace", "0s", "--", "x"}, err: `invalid --grace "0s": want a positive duration such as 10s`},
		{args: []string{"-v", "--", "x"}, err: `unknown option "-v" for single-command mode`},
	}
	for _, tt := range tests {
		o, err := parseExecArgs(tt.args)
		switch {
		case tt.err == "help":
			if !errors.Is(err, errHelp) {
				t.Errorf("%q: err = %v, want help", tt.args, err)
			}
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: err = %v, want %q", tt.args, err, tt.err)
			}
		case err != nil:
			t.Errorf("%q: unexpected error %v", tt.args, err)
		case !slices.Equal(o.argv, tt.argv) || o.grace != tt.grace:
			t.Errorf("%q: got argv %q grace %v, want %q %v", tt.args, o.argv, o.grace, tt.argv, tt.grace)
		}
	}
}
