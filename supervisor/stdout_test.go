package supervisor

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/testkit"
)

// gate is a writer that blocks until opened, like a pipe nobody reads.
type gate struct {
	open chan struct{}
	mu   sync.Mutex
	buf  bytes.Buffer
	fail bool
}

func (g *gate) Write(p []byte) (int, error) {
	<-g.open
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail {
		return 0, errors.New("broken pipe")
	}
	return g.buf.Write(p)
}

func (g *gate) text() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

// While stdout is stuck, Write still returns at once; the oldest queued
// records go first, and the reader, once back, sees a marker with their
// number before the newest ones.
func TestStdoutDropsOldestWithMarker(t *testing.T) {
	g := &gate{open: make(chan struct{})}
	o := NewStdout(g, LogText)
	o.max = 20
	done := make(chan struct{})
	go func() {
		for _, l := range []string{"first\n", "aaaaaaaaa\n", "bbbbbbbbb\n", "ccccccccc\n"} {
			o.Write([]byte(l))
			if l == "first\n" {
				// Let the writer take it and block in the gate.
				testkit.Eventually(t, "the writer blocked in the gate", func() bool { o.mu.Lock(); defer o.mu.Unlock(); return o.busy })
			}
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Write blocked on a stuck stdout")
	}
	if got := o.Dropped(); got != 1 {
		t.Fatalf("Dropped = %d, want 1 (aaa… pushed out by ccc…)", got)
	}
	close(g.open)
	o.Close(5 * time.Second)
	want := "first\nkinit | 1 lines dropped (stdout was full or closed)\nbbbbbbbbb\nccccccccc\n"
	if got := g.text(); got != want {
		t.Fatalf("stdout got\n%q\nwant\n%q", got, want)
	}
}

// A record that cannot be written (closed pipe) is counted, and announced
// once the writes work again.
func TestStdoutCountsFailedWrites(t *testing.T) {
	g := &gate{open: make(chan struct{}), fail: true}
	close(g.open)
	o := NewStdout(g, LogText)
	o.Write([]byte("lost 1\n"))
	o.Write([]byte("lost 2\n"))
	testkit.Eventually(t, "two lines dropped", func() bool { return o.Dropped() == 2 })
	g.mu.Lock()
	g.fail = false
	g.mu.Unlock()
	o.Write([]byte("back\n"))
	o.Close(5 * time.Second)
	if got := g.text(); got != "kinit | 2 lines dropped (stdout was full or closed)\nback\n" {
		t.Fatalf("stdout got %q", got)
	}
	if strings.Count(g.text(), "dropped") != 1 {
		t.Fatalf("one marker expected: %q", g.text())
	}
}
