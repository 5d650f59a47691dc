package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/supervisor/control/client"
)

// watchStatus follows the node through GET /v1/events: on a terminal a view
// redrawn in place (bubbletea), otherwise the status once and then one
// plain line per event. It only ever reads: leaving it (Ctrl-C, q) leaves
// the node as it was.
func watchStatus() int {
	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGINT, unix.SIGTERM)
	defer stop()
	c := client.New("")
	if isTerminal(os.Stdout) {
		return watchTerminal(ctx, c)
	}
	return watchPlain(ctx, c, os.Stdout)
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// eventLine is an event as one line of text.
func eventLine(e *client.Event) string {
	s := fmt.Sprintf("%s  %-16s %s", e.Time.Local().Format("15:04:05"), e.Service, e.Kind)
	switch e.Kind {
	case "started":
		s += fmt.Sprintf(" pid %d", e.Pid)
	case "exited":
		if e.Signal != "" {
			s += " by " + e.Signal
		} else {
			s += fmt.Sprintf(" code %d", e.ExitCode)
		}
	case "restarting":
		s += fmt.Sprintf(" in %.1fs (restart %d)", e.BackoffSeconds, e.Restarts+1)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func watchPlain(ctx context.Context, c *client.Client, w io.Writer) int {
	first := true
	err := c.Events(ctx, func(m client.Message) error {
		switch {
		case m.Status != nil && first:
			first = false
			printStatus(w, m.Status, time.Now())
			fmt.Fprintln(w)
		case m.Event != nil:
			fmt.Fprintln(w, eventLine(m.Event))
		}
		return nil
	})
	return watchEnd(ctx, err)
}

func watchEnd(ctx context.Context, err error) int {
	switch {
	case ctx.Err() != nil:
		return exitOK
	case errors.Is(err, client.ErrStreamEnded):
		fmt.Fprintln(os.Stderr, "kinit: the node stopped (or this reader fell behind); the watch ends")
		return exitOK
	case err != nil:
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	return exitOK
}

// The terminal view's messages: a status or an event from the stream, the
// stream's end, and the clock that ages the "for" column between them.
type (
	statusMsg struct{ st *client.Status }
	eventMsg  struct{ line string }
	endMsg    struct{ err error }
	tickMsg   time.Time
)

type watchModel struct {
	st     *client.Status
	events []string
	width  int
	ended  error
	done   bool
}

func (m watchModel) Init() tea.Cmd { return tick() }

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m watchModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if k := msg.String(); k == "ctrl+c" || k == "q" || k == "esc" {
			m.done = true
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case statusMsg:
		m.st = msg.st
	case eventMsg:
		m.events = append(m.events, msg.line)
		if len(m.events) > 4*eventLines {
			m.events = append([]string(nil), m.events[len(m.events)-eventLines:]...)
		}
	case endMsg:
		m.ended = msg.err
		return m, tea.Quit
	case tickMsg:
		return m, tick()
	}
	return m, nil
}

func (m watchModel) View() string {
	note := "q or Ctrl-C leaves the view; the node keeps running"
	if m.ended != nil {
		note = "the stream ended: " + m.ended.Error()
	}
	return renderWatch(m.st, m.events, time.Now(), m.width, note)
}

func watchTerminal(ctx context.Context, c *client.Client) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := tea.NewProgram(watchModel{}, tea.WithContext(ctx))
	go func() {
		err := c.Events(ctx, func(m client.Message) error {
			if m.Status != nil {
				p.Send(statusMsg{m.Status})
			}
			if m.Event != nil {
				p.Send(eventMsg{eventLine(m.Event)})
			}
			return nil
		})
		p.Send(endMsg{err})
	}()
	final, err := p.Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	if m, ok := final.(watchModel); ok && m.ended != nil && !m.done {
		return watchEnd(ctx, m.ended)
	}
	return exitOK
}
