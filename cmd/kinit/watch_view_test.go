package main

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/kinit/kinit/supervisor/control/client"
)

func TestRenderWatch(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	at := func(s float64) *time.Time { v := t0.Add(time.Duration(s * float64(time.Second))); return &v }
	st := &client.Status{
		Node:  client.Node{Role: "broker", ID: 2, FQDN: "kafka-2.example", ConfigID: "production"},
		Kinit: client.Kinit{Pid: 1, StartedAt: t0, Phase: "running"},
		Services: []client.Service{
			{ID: "kafka-broker", State: "running", Since: *at(1), StartedAt: at(1), ReadyAt: at(3.5), Ready: true},
			{ID: "schema-registry", State: "waiting", Since: *at(0),
				Waits: []client.Wait{{Service: "zookeeper", Local: false, Since: t0, Detail: "connection refused"},
					{Service: "kafka-broker", Local: true, Satisfied: true, Since: t0}}},
			{ID: "control-center", State: "backoff", Since: *at(8), StartedAt: at(5), Restarts: 2, NextStart: at(12),
				LastExit: &client.Exit{At: *at(8), Code: 1}},
		},
	}
	out := renderWatch(st, []string{"10:00:08  control-center   exited code 1"}, t0.Add(10*time.Second), 120, "q leaves")
	for _, want := range []string{
		"role broker, id 2, kafka-2.example, config production",
		"up 10s, starting",
		// time in state and why it waits: the remote wait with its probe's answer,
		// not the satisfied local one
		"schema-registry  waiting  10s",
		"remote zookeeper 10s: connection refused",
		"restart in 2s",
		"code 1, 2s ago",
		"kafka-broker    ", "ready after 2.5s",
		"not ready, 5s (this run)",
		"exited code 1",
		"q leaves",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "kafka-broker 10s") {
		t.Errorf("a satisfied wait is shown:\n%s", out)
	}
	// The bars share one scale: the broker's (1 s → 3.5 s of 10 s) starts
	// 4 columns in and is 10 wide, after the names padded to the longest
	// started one (control-center).
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "kafka-broker ") && strings.Contains(l, "ready after") {
			if want := "kafka-broker   " + strings.Repeat(" ", 4) + strings.Repeat("█", 10) + " "; !strings.HasPrefix(l, want) {
				t.Errorf("timeline row %q; want it to start %q", l, want)
			}
		}
	}
}

func TestWatchPlainLines(t *testing.T) {
	e := &client.Event{Time: time.Date(2026, 12, 7, 10, 0, 8, 0, time.Local), Service: "kafka-broker", Kind: "exited", Signal: "SIGKILL"}
	if got, want := eventLine(e), "10:00:08  kafka-broker     exited by SIGKILL"; got != want {
		t.Errorf("eventLine = %q; want %q", got, want)
	}
	r := &client.Event{Time: e.Time, Service: "kafka-broker", Kind: "restarting", BackoffSeconds: 1.5, Restarts: 0}
	if got := eventLine(r); !strings.HasSuffix(got, "restarting in 1.5s (restart 1)") {
		t.Errorf("eventLine = %q", got)
	}
}
