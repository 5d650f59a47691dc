package roles

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Error is one configuration problem. File and Line locate it when it comes
// from a file; Line is 0 when only the file (or nothing) is known, e.g. for
// problems found in the environment.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	default:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
}

// Problems lists the individual problems inside an error returned by Load,
// Resolve or the macros step (one per line when printed).
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	var m *multierror.Error
	if errors.As(err, &m) {
		return m.WrappedErrors()
	}
	return []error{err}
}

// IsConfigError reports whether err is a configuration problem (exit 78)
// rather than an operational failure such as a disk write error.
func IsConfigError(err error) bool {
	for _, p := range Problems(err) {
		var e *Error
		if !errors.As(p, &e) {
			return false
		}
	}
	return err != nil
}

// Collector gathers problems so that validation reports all of them at once.
// The zero value is ready to use.
type Collector struct {
	errs []*Error
}

// Add records a problem at file:line (line 0 when unknown).
func (c *Collector) Add(file string, line int, format string, a ...any) {
	c.errs = append(c.errs, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, a...)})
}

// AddError records an *Error as is, or wraps any other error.
func (c *Collector) AddError(err error) {
	for _, p := range Problems(err) {
		var e *Error
		if errors.As(p, &e) {
			c.errs = append(c.errs, e)
			continue
		}
		c.errs = append(c.errs, &Error{Msg: p.Error()})
	}
}

// Len is the number of problems collected so far.
func (c *Collector) Len() int { return len(c.errs) }

// Err returns nil when nothing was collected, otherwise a *multierror.Error
// whose problems are sorted by file and line and printed one per line.
func (c *Collector) Err() error {
	if len(c.errs) == 0 {
		return nil
	}
	sorted := make([]*Error, len(c.errs))
	copy(sorted, c.errs)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	var m *multierror.Error
	seen := map[string]bool{}
	for _, e := range sorted {
		s := e.Error()
		if seen[s] {
			continue
		}
		seen[s] = true
		m = multierror.Append(m, e)
	}
	m.ErrorFormat = formatProblems
	return m
}

func formatProblems(errs []error) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
