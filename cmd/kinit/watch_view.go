package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/kinit/kinit/supervisor/control/client"
)

// The live view of `kinit status --watch`: the node header, one row per
// service (state and time in it, what it waits on and why, restarts, last
// exit), the readiness timeline of the current start and the latest events.
// Rendering is a pure function of the last status, the events and the
// clock, so the terminal test and the plain output share it.

const (
	timelineWidth = 40
	eventLines    = 6
)

var (
	styleHead    = lipgloss.NewStyle().Bold(true)
	styleReady   = lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	styleWaiting = lipgloss.NewStyle().Foreground(lipgloss.Color("3"))
	styleBad     = lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true)
	styleDim     = lipgloss.NewStyle().Faint(true)
)

// renderWatch draws the whole view for a terminal of the given width.
func renderWatch(st *client.Status, events []string, now time.Time, width int, note string) string {
	var b strings.Builder
	if st == nil {
		b.WriteString("waiting for kinit's first status…\n")
		return b.String()
	}
	n := st.Node
	fmt.Fprintf(&b, "%s  role %s, id %d, %s, config %s\n", styleHead.Render("node"), dash(n.Role), n.ID, dash(n.FQDN), dash(n.ConfigID))
	ready := styleWaiting.Render("starting")
	if st.Ready {
		ready = styleReady.Render("all ready")
	}
	fmt.Fprintf(&b, "%s pid %d, %s, up %s, %s\n\n", styleHead.Render("kinit"), st.Kinit.Pid, st.Kinit.Phase,
		seconds(now.Sub(st.Kinit.StartedAt).Seconds()), ready)

	rows := [][]string{{"SERVICE", "STATE", "FOR", "RESTARTS", "LAST EXIT", "WAITING ON"}}
	for _, s := range st.Services {
		rows = append(rows, []string{s.ID, s.State, age(now.Sub(s.Since)), fmt.Sprint(s.Restarts),
			lastExit(s.LastExit, now), waitingOn(s, now)})
	}
	b.WriteString(table(rows, width))

	b.WriteString("\n" + styleHead.Render("start → ready") + styleDim.Render(" (since kinit started)") + "\n")
	b.WriteString(timeline(st, now))

	if len(events) > 0 {
		b.WriteString("\n" + styleHead.Render("events") + "\n")
		from := max(0, len(events)-eventLines)
		for _, e := range events[from:] {
			b.WriteString(clip(e, width) + "\n")
		}
	}
	if note != "" {
		b.WriteString("\n" + styleDim.Render(note) + "\n")
	}
	return b.String()
}

// waitingOn says what a service waits for and why: unmet dependencies
// (remote ones with their probe's last answer), a spare hold, a backoff.
func waitingOn(s client.Service, now time.Time) string {
	switch {
	case s.Unhealthy != nil:
		return fmt.Sprintf("unhealthy %s: %s", age(now.Sub(s.Unhealthy.Since)), s.Unhealthy.Reason)
	case s.State == "backoff" && s.NextStart != nil:
		return "restart in " + s.NextStart.Sub(now).Round(100*time.Millisecond).String()
	case s.State == "failed":
		return s.Message
	}
	var parts []string
	for _, w := range s.Waits {
		if w.Satisfied {
			continue
		}
		where := "remote "
		if w.Local {
			where = ""
		}
		p := fmt.Sprintf("%s%s %s", where, w.Service, age(now.Sub(w.Since)))
		if w.Detail != "" {
			p += ": " + w.Detail
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return s.WaitingOn
	}
	return strings.Join(parts, "; ")
}

// timeline draws a bar per started service from its start to its
// readiness (or to now, while it is not ready), on one scale.
func timeline(st *client.Status, now time.Time) string {
	origin := st.Kinit.StartedAt
	end := now
	type span struct {
		id         string
		from, to   time.Time
		ready      bool
		restarting bool
	}
	var spans []span
	for _, s := range st.Services {
		if s.StartedAt == nil {
			continue
		}
		sp := span{id: s.ID, from: *s.StartedAt, to: now, restarting: s.Restarts > 0}
		if s.ReadyAt != nil && !s.ReadyAt.Before(*s.StartedAt) {
			sp.to, sp.ready = *s.ReadyAt, true
		}
		spans = append(spans, sp)
	}
	if len(spans) == 0 {
		return styleDim.Render("nothing started yet") + "\n"
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	total := end.Sub(origin)
	if total <= 0 {
		total = time.Second
	}
	col := func(t time.Time) int {
		c := int(float64(t.Sub(origin)) / float64(total) * timelineWidth)
		return min(max(c, 0), timelineWidth)
	}
	nameWidth := 0
	for _, sp := range spans {
		nameWidth = max(nameWidth, len(sp.id))
	}
	var b strings.Builder
	for _, sp := range spans {
		from, to := col(sp.from), col(sp.to)
		if to <= from {
			to = from + 1
		}
		bar := strings.Repeat("█", to-from)
		took := sp.to.Sub(sp.from)
		label := "ready after " + took.Round(100*time.Millisecond).String()
		if sp.ready {
			bar = styleReady.Render(bar)
		} else {
			bar = styleWaiting.Render(strings.Repeat("░", to-from))
			label = "not ready, " + took.Round(time.Second).String()
		}
		if sp.restarting {
			label += " (this run)"
		}
		pad := strings.Repeat(" ", from)
		fmt.Fprintf(&b, "%-*s %s%s%s %s\n", nameWidth, sp.id, pad, bar, strings.Repeat(" ", timelineWidth+1-to), label)
	}
	return b.String()
}

// table lays rows out in columns, the last one clipped to the width.
func table(rows [][]string, width int) string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for ri, r := range rows {
		var line strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				line.WriteString(c)
				break
			}
			line.WriteString(c + strings.Repeat(" ", widths[i]-len(c)+2))
		}
		text := clip(line.String(), width)
		switch {
		case ri == 0:
			text = styleHead.Render(text)
		case r[1] == "failed" || r[1] == "backoff":
			text = styleBad.Render(text)
		}
		b.WriteString(text + "\n")
	}
	return b.String()
}

func clip(s string, width int) string {
	if width <= 0 || len(s) <= width {
		return s
	}
	if width < 2 {
		return s[:width]
	}
	return s[:width-1] + "…"
}

func age(d time.Duration) string {
	return max(d, 0).Round(time.Second).String()
}
