package single_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/supervisor/single"
)

const helperEnv = "KINIT_SINGLE_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// helper checks, from inside the child, what Run promises about it. Exit 0
// means every check held.
func helper(mode string) int {
	switch mode {
	case "exit7":
		return 7
	case "term":
		_ = unix.Kill(os.Getpid(), unix.SIGTERM)
		time.Sleep(time.Hour) // the runtime exits on SIGTERM first
	case "inherits":
		if unix.Getpgrp() != os.Getpid() {
			return 1 // not the leader of its own process group
		}
		if os.Getenv("KINIT_SINGLE_MARK") != "kept" {
			return 2 // environment not passed on
		}
		for fd, want := range strings.Split(os.Getenv("KINIT_SINGLE_STDIO"), "|") {
			if got, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); got != want {
				return 10 + fd // stdio not passed on unchanged
			}
		}
		return 0
	}
	return 99
}

func stdioLinks(t *testing.T) string {
	t.Helper()
	var links []string
	for fd := range 3 {
		l, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	return strings.Join(links, "|")
}

func TestRunExitStatus(t *testing.T) {
	t.Setenv("GORACE", "atexit_sleep_ms=0")
	t.Setenv("KINIT_SINGLE_MARK", "kept")
	t.Setenv("KINIT_SINGLE_STDIO", stdioLinks(t))
	tests := []struct {
		mode string
		want int
	}{
		{"exit7", 7},
		{"term", 143},
		{"inherits", 0},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Setenv(helperEnv, tt.mode)
			code, err := single.Run(single.Config{Argv: []string{os.Args[0]}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if code != tt.want {
				t.Fatalf("exit code %d, want %d", code, tt.want)
			}
		})
	}
}

// Start failures are real ones (the kernel's and os/exec's errors), mapped
// the way tini maps them: 127 when there is nothing to run, 126 otherwise.
func TestRunStartFailure(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := write("plain", "#!/bin/sh\n", 0o644)
	badInterp := write("bad-interp", "#!/nonexistent/interpreter\n", 0o755)
	garbage := write("garbage", "\x7fELF not really", 0o755)
	write("in-dot", "#!/bin/sh\n", 0o755)
	t.Setenv("PATH", ".:/usr/bin:/bin")
	t.Chdir(dir)

	tests := []struct {
		name string
		argv []string
		code int
		err  string
	}{
		{"missing path", []string{"/nonexistent/cmd"}, 127, `cannot start "/nonexistent/cmd": no such file or directory`},
		{"not in PATH", []string{"kinit-no-such-cmd"}, 127, `cannot start "kinit-no-such-cmd": executable file not found in $PATH`},
		{"only in current dir", []string{"in-dot"}, 127, `cannot start "in-dot": cannot run executable found relative to current directory`},
		{"missing interpreter", []string{badInterp}, 127, "no such file or directory"},
		{"no exec bit", []string{plain}, 126, "permission denied"},
		{"directory", []string{dir}, 126, "permission denied"},
		{"unknown format", []string{garbage}, 126, "exec format error"},
		{"empty", []string{""}, 127, "cannot start an empty command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := single.Run(single.Config{Argv: tt.argv})
			if code != tt.code {
				t.Errorf("code %d, want %d", code, tt.code)
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want it to contain %q", err, tt.err)
			}
		})
	}
}
