// Package sigtab is kinit's one table of signals: names, numbers and what
// kinit may do with each. Config loading (roles), validation and the
// runtime (supervisor, single-command mode) all read it, so a rule about a
// signal is written once.
package sigtab

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Signal is one row of the table.
type Signal struct {
	Name string
	Num  unix.Signal
	// Forward: a service may list it in forward_signals; kinit up passes
	// it on to that service's process group.
	Forward bool
	// Sync: the kernel raises it for a fault in the process itself
	// (tini and dumb-init never forward these); Go crashes on one sent by
	// kill unless it is caught.
	Sync bool
	// Uncatchable: SIGKILL and SIGSTOP cannot be handled at all.
	Uncatchable bool
	// Stop: kinit up stops the node in order on it. SIGPWR is how lxc and
	// Incus ask a container's init for a clean halt, as tini's users expect.
	Stop bool
}

// Table holds the standard signals 1..31, by number.
var Table = []Signal{
	{Name: "SIGHUP", Num: unix.SIGHUP, Forward: true},
	{Name: "SIGINT", Num: unix.SIGINT, Stop: true},
	{Name: "SIGQUIT", Num: unix.SIGQUIT, Forward: true},
	{Name: "SIGILL", Num: unix.SIGILL, Sync: true},
	{Name: "SIGTRAP", Num: unix.SIGTRAP, Sync: true},
	{Name: "SIGABRT", Num: unix.SIGABRT, Sync: true},
	{Name: "SIGBUS", Num: unix.SIGBUS, Sync: true},
	{Name: "SIGFPE", Num: unix.SIGFPE, Sync: true},
	{Name: "SIGKILL", Num: unix.SIGKILL, Uncatchable: true},
	{Name: "SIGUSR1", Num: unix.SIGUSR1, Forward: true},
	{Name: "SIGSEGV", Num: unix.SIGSEGV, Sync: true},
	{Name: "SIGUSR2", Num: unix.SIGUSR2, Forward: true},
	{Name: "SIGPIPE", Num: unix.SIGPIPE},
	{Name: "SIGALRM", Num: unix.SIGALRM},
	{Name: "SIGTERM", Num: unix.SIGTERM, Stop: true},
	{Name: "SIGSTKFLT", Num: unix.SIGSTKFLT},
	{Name: "SIGCHLD", Num: unix.SIGCHLD},
	{Name: "SIGCONT", Num: unix.SIGCONT},
	{Name: "SIGSTOP", Num: unix.SIGSTOP, Uncatchable: true},
	{Name: "SIGTSTP", Num: unix.SIGTSTP},
	{Name: "SIGTTIN", Num: unix.SIGTTIN},
	{Name: "SIGTTOU", Num: unix.SIGTTOU},
	{Name: "SIGURG", Num: unix.SIGURG},
	{Name: "SIGXCPU", Num: unix.SIGXCPU},
	{Name: "SIGXFSZ", Num: unix.SIGXFSZ},
	{Name: "SIGVTALRM", Num: unix.SIGVTALRM},
	{Name: "SIGPROF", Num: unix.SIGPROF},
	{Name: "SIGWINCH", Num: unix.SIGWINCH, Forward: true},
	{Name: "SIGIO", Num: unix.SIGIO},
	{Name: "SIGPWR", Num: unix.SIGPWR, Stop: true},
	{Name: "SIGSYS", Num: unix.SIGSYS, Sync: true},
}

// Real-time signals as the kernel numbers them. glibc keeps 32 and 33 for
// itself (its SIGRTMIN is 34) and musl 32..34; the Go runtime installs no
// handler for any of the three and os/signal cannot catch them, so for kinit
// the usable real-time range starts at 35 (reservedRT).
const (
	RTMin unix.Signal = 32
	RTMax unix.Signal = 64

	firstUsableRT unix.Signal = 35
)

// Lookup finds a row by number; real-time signals get a row of their own
// named SIGRTMIN+n.
func Lookup(n unix.Signal) (Signal, bool) {
	if n >= 1 && int(n) <= len(Table) {
		return Table[n-1], true
	}
	if n >= RTMin && n <= RTMax {
		return Signal{Name: fmt.Sprintf("SIGRTMIN+%d", n-RTMin), Num: n}, true
	}
	return Signal{}, false
}

// Name is the table's name for n, or "signal N".
func Name(n unix.Signal) string {
	if s, ok := Lookup(n); ok {
		return s.Name
	}
	return "signal " + strconv.Itoa(int(n))
}

// Parse reads "SIGTERM", "term", "15" or "SIGRTMIN+3".
func Parse(s string) (Signal, error) {
	name := strings.ToUpper(strings.TrimSpace(s))
	if v, err := strconv.Atoi(name); err == nil {
		if sig, ok := Lookup(unix.Signal(v)); ok {
			return sig, nil
		}
		return Signal{}, fmt.Errorf("unknown signal %q", s)
	}
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	for _, row := range Table {
		if row.Name == name {
			return row, nil
		}
	}
	if rest, ok := strings.CutPrefix(name, "SIGRTMIN"); ok {
		off := 0
		if rest != "" {
			v, err := strconv.Atoi(strings.TrimPrefix(rest, "+"))
			if err != nil || !strings.HasPrefix(rest, "+") {
				return Signal{}, fmt.Errorf("unknown signal %q", s)
			}
			off = v
		}
		if sig, ok := Lookup(RTMin + unix.Signal(off)); ok && off >= 0 {
			return sig, nil
		}
	}
	return Signal{}, fmt.Errorf("unknown signal %q", s)
}

// Forwardable lists the names forward_signals accepts, for messages.
func Forwardable() []string {
	var out []string
	for _, row := range Table {
		if row.Forward {
			out = append(out, row.Name)
		}
	}
	return out
}

// Catchable is every signal kinit can handle: 1..31 without SIGKILL and
// SIGSTOP, then the real-time ones from 35 (32..34 are the C libraries' and
// Go leaves them at their default: sent from outside kinit's PID namespace
// they end it, as 32 and 33 end tini).
func Catchable() []unix.Signal {
	var out []unix.Signal
	for _, row := range Table {
		if !row.Uncatchable {
			out = append(out, row.Num)
		}
	}
	for n := firstUsableRT; n <= RTMax; n++ {
		out = append(out, n)
	}
	return out
}
