package up

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kinit/kinit/supervisor/control/client"
	"golang.org/x/sys/unix"
)

// `kinit logs -f talker` follows a service across a restart: the lines of
// the killed run, then those of the new one, none lost between them. With
// KINIT_OUTPUT=summary kinit's stdout shows only each run's first lines,
// while the ring (and so `kinit logs`) keeps them all.
func TestLogsFollowRestart(t *testing.T) {
	n := newNode(t, "logs/kinit.toml")
	n.env["KINIT_OUTPUT"] = "summary"
	r := n.start(asPID1)
	st := n.waitStatus("talker ready", allReady("talker"))
	oldPid := svc(st, "talker").Pid

	follower := n.cliCmd(kinitBin, "logs", "-f", "talker", "-n", "5")
	out, err := follower.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	follower.Stderr = &stderr
	if err := follower.Start(); err != nil {
		t.Fatal(err)
	}
	followed := newLines()
	var wg sync.WaitGroup
	wg.Add(1)
	go followed.read(out, &wg)
	exited := make(chan error, 1)
	go func() { wg.Wait(); exited <- follower.Wait() }()
	t.Cleanup(func() { _ = follower.Process.Kill() })

	oldTag := fmt.Sprintf("talker | pid %d line ", oldPid)
	followed.waitFor(t, "30 lines of the first run", func(ls []string) bool {
		return countPrefix(ls, oldTag) >= 30
	})
	r.kill(oldPid, unix.SIGKILL)
	st = n.waitStatus("talker restarted", func(st *client.Status) bool {
		s := svc(st, "talker")
		return s.Ready && s.Restarts == 1 && s.Pid != oldPid
	})
	newPid := svc(st, "talker").Pid
	newTag := fmt.Sprintf("talker | pid %d line ", newPid)
	followed.waitFor(t, "30 lines of the new run", func(ls []string) bool {
		return countPrefix(ls, newTag) >= 30
	})

	// Ctrl-C ends the follower, not kinit.
	if err := follower.Process.Signal(unix.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Fatalf("kinit logs -f after Ctrl-C: %v; stderr: %s", err, stderr.String())
	}
	ls := followed.all()
	// The old run's lines, numbered without a gap, then the new run's from
	// its first line.
	next := map[string]int{oldTag: 0, newTag: 1}
	seenNew := false
	for _, l := range ls {
		tag := oldTag
		if strings.HasPrefix(l, newTag) {
			tag, seenNew = newTag, true
		} else if !strings.HasPrefix(l, oldTag) {
			t.Fatalf("follower printed %q, neither run's line:\n%s", l, strings.Join(ls, "\n"))
		} else if seenNew {
			t.Fatalf("a line of the killed run after the new run's: %q", l)
		}
		var k int
		if _, err := fmt.Sscanf(strings.TrimPrefix(l, tag), "%d", &k); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if next[tag] != 0 && k != next[tag] {
			t.Fatalf("line %q, want number %d: lines lost or repeated:\n%s", l, next[tag], strings.Join(ls, "\n"))
		}
		next[tag] = k + 1
	}
	if r.exited() {
		t.Fatal("kinit exited with the follower")
	}

	// Without -f: the last lines, then the end.
	res := n.cli("logs", "talker", "-n", "3")
	if got := strings.Split(strings.TrimSpace(res.stdout), "\n"); res.code != 0 || len(got) != 3 || countPrefix(got, newTag) != 3 {
		t.Fatalf("kinit logs talker -n 3: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = n.cli("logs", "nope")
	if res.code != 1 || !strings.Contains(res.stderr, `unknown service "nope"`) {
		t.Fatalf("kinit logs nope: exit %d: %s", res.code, res.stderr)
	}

	// The summary on kinit's stdout: the first 20 lines of each run, not
	// the 30th.
	text := r.stdout.text()
	for _, tag := range []string{oldTag, newTag} {
		if !strings.Contains(text, tag+"20\n") || strings.Contains(text, tag+"30\n") {
			t.Fatalf("kinit's stdout under KINIT_OUTPUT=summary, for %q:\n%s", tag, text)
		}
	}

	r.signal(unix.SIGTERM)
	if code := r.wait(); code != 0 {
		t.Fatalf("kinit exit %d", code)
	}
	res = n.cli("logs", "talker")
	if res.code != 1 || !strings.Contains(res.stderr, "kinit is not running") {
		t.Fatalf("kinit logs with kinit stopped: exit %d: %s", res.code, res.stderr)
	}
}

// A bad KINIT_OUTPUT or KINIT_LOG_RING is a configuration error: exit 78,
// no service started.
func TestOutputSettingsExit78(t *testing.T) {
	for v, val := range map[string]string{"KINIT_OUTPUT": "quiet", "KINIT_LOG_RING": "lots"} {
		n := newNode(t, "logs/kinit.toml")
		n.env[v] = val
		// Read after the node resolved, so not upOnce (which takes that
		// line for going live).
		r := n.start(asChild)
		if code := r.wait(); code != 78 || !strings.Contains(r.stderr.text()+r.stdout.text(), v+`="`+val+`"`) {
			t.Errorf("%s=%s: exit %d\nstdout:\n%s\nstderr:\n%s", v, val, code, r.stdout.text(), r.stderr.text())
		}
		if left := marked(n.marker); len(left) > 0 {
			t.Errorf("%s=%s: processes started: %v", v, val, left)
		}
	}
}

func countPrefix(ls []string, prefix string) int {
	c := 0
	for _, l := range ls {
		if strings.HasPrefix(l, prefix) {
			c++
		}
	}
	return c
}
