// Command testprog is a configurable stand-in for a supervised service in
// kinit's tests and benchmarks: it can become ready (listen) after a
// delay, crash on demand, ignore SIGTERM, fork orphans, record the signals
// it gets and report its credentials. It is a real process, so the
// supervisor is tested against real fork/exec/wait behaviour.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	var (
		name        = flag.String("name", "testprog", "name used in marks")
		listen      = flag.String("listen", "", "address to listen on once ready")
		delay       = flag.Duration("delay", 0, "time before listening")
		exitAfter   = flag.Duration("exit-after", -1, "exit this long after start (with -code)")
		code        = flag.Int("code", 0, "exit code for -exit-after")
		ignoreTerm  = flag.Bool("ignore-term", false, "ignore SIGTERM")
		termCode    = flag.Int("term-code", -1, "exit with this code on SIGTERM (default: die of it)")
		usr1Code    = flag.Int("usr1-code", 3, "exit code on SIGUSR1 (crash on demand)")
		orphans     = flag.Int("orphans", 0, "fork this many children that outlive us")
		orphanSleep = flag.Duration("orphan-sleep", 100*time.Millisecond, "how long orphans live")
		record      = flag.String("record", "", "append received signals to this file")
		mark        = flag.String("mark", "", "append 'start|ready NAME UNIXNANO' lines to this file")
		report      = flag.String("report", "", "write credential lines of /proc/self/status to this file")
		print       = flag.String("print", "", "print this line to stdout at start (\\n separates lines)")
		printErr    = flag.String("print-err", "", "print this line to stderr at start")
		printLen    = flag.Int("print-len", 0, "print one line of this many bytes")
		spam        = flag.Int("spam", 0, "print lines of this many bytes without pause, for ever")
		notify      = flag.Bool("notify", false, "send READY=1 to $NOTIFY_SOCKET once listening")
		catchAll    = flag.Bool("catch-all", false, "record every catchable signal, not only TERM INT USR1 USR2 HUP QUIT")
	)
	flag.Parse()
	start := time.Now()
	appendLine(*mark, fmt.Sprintf("start %s %d", *name, start.UnixNano()))

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGQUIT)
	if *catchAll {
		sigs = make(chan os.Signal, 256)
		signal.Notify(sigs)
		// The runtime's own preemption signal is noise in a record.
		signal.Ignore(syscall.SIGURG, syscall.SIGCHLD)
	}
	if *spam > 0 {
		go func() {
			line := strings.Repeat("s", *spam) + "\n"
			for {
				if _, err := os.Stdout.WriteString(line); err != nil {
					return
				}
			}
		}()
	}

	if *print != "" {
		for _, l := range strings.Split(*print, `\n`) {
			fmt.Println(l)
		}
	}
	if *printErr != "" {
		fmt.Fprintln(os.Stderr, *printErr)
	}
	if *printLen > 0 {
		fmt.Println(strings.Repeat("x", *printLen))
	}
	if *report != "" {
		writeReport(*report)
	}
	for i := 0; i < *orphans; i++ {
		forkOrphan(*orphanSleep)
	}

	var ready <-chan time.Time
	if *listen != "" {
		ready = time.After(*delay)
	}
	var exit <-chan time.Time
	if *exitAfter >= 0 {
		exit = time.After(*exitAfter)
	}
	for {
		select {
		case <-ready:
			ln, err := net.Listen("tcp", *listen)
			if err != nil {
				fmt.Fprintln(os.Stderr, "cannot listen:", err)
				os.Exit(2)
			}
			appendLine(*mark, fmt.Sprintf("ready %s %d", *name, time.Now().UnixNano()))
			fmt.Println("listening on", ln.Addr())
			if *notify {
				sdNotify("READY=1")
			}
			go acceptLoop(ln)
		case <-exit:
			fmt.Println("exiting with code", *code)
			os.Exit(*code)
		case sig := <-sigs:
			s := sig.(syscall.Signal)
			appendLine(*record, fmt.Sprintf("%s %s %d", *name, sigName(s), time.Now().UnixNano()))
			switch {
			case s == syscall.SIGUSR1:
				fmt.Println("crashing on demand")
				os.Exit(*usr1Code)
			case s == syscall.SIGTERM && *ignoreTerm:
				fmt.Println("ignoring SIGTERM")
			case s == syscall.SIGTERM || s == syscall.SIGINT:
				fmt.Println("stopping on", sigName(s))
				if *termCode >= 0 {
					os.Exit(*termCode)
				}
				signal.Reset(s)
				_ = syscall.Kill(os.Getpid(), s)
				time.Sleep(time.Second)
				os.Exit(1)
			}
		}
	}
}

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case syscall.SIGUSR2:
		return "SIGUSR2"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	}
	return fmt.Sprint(int(s))
}

// appendLine appends one line with O_APPEND, so marks of several processes
// sharing a file never interleave within a line.
func appendLine(path, line string) {
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot open mark file:", err)
		return
	}
	_, _ = f.WriteString(line + "\n")
	_ = f.Close()
}

func writeReport(path string) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot read status:", err)
		os.Exit(2)
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		for _, k := range []string{"Uid:", "Gid:", "Groups:", "NoNewPrivs:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"} {
			if strings.HasPrefix(l, k) {
				keep = append(keep, l)
			}
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(keep, "\n")+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "cannot write report:", err)
		os.Exit(2)
	}
}

// forkOrphan starts a child in a session of its own (so it escapes our
// process group) and does not wait for it: when we exit it is re-parented
// to the nearest subreaper, which must reap it.
func forkOrphan(life time.Duration) {
	self, _ := os.Executable()
	cmd := exec.Command(self, "-name", "orphan", "-exit-after", life.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// The orphan keeps our stdout: its output (and the pipe it holds open
	// after we exit) is part of what the supervisor must cope with.
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot fork:", err)
		return
	}
	fmt.Println("forked orphan", cmd.Process.Pid)
	_ = cmd.Process.Release()
}

// sdNotify sends one sd_notify datagram to $NOTIFY_SOCKET ("@name" is the
// abstract namespace), as a service speaking the protocol would.
func sdNotify(msg string) {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		fmt.Fprintln(os.Stderr, "no NOTIFY_SOCKET")
		return
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
		return
	}
	defer c.Close()
	if _, err := c.Write([]byte(msg)); err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
	}
}
