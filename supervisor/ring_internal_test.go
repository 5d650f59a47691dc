package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRingBoundedNewestKept(t *testing.T) {
	ls := newLogStore(minLogRing)
	for i := range 10000 {
		ls.add("svc", "stdout", fmt.Appendf(nil, "line %05d %s", i, strings.Repeat("x", i%300)))
	}
	r := ls.rings["svc"]
	total := 0
	for i := range r.lines {
		total += lineCost(&r.lines[i])
	}
	if total != r.bytes || r.bytes > minLogRing {
		t.Fatalf("ring holds %d bytes (counted %d), bound %d", total, r.bytes, minLogRing)
	}
	if cap(r.lines) > 2*minLogRing/lineOverhead+1 {
		t.Errorf("ring's slice has room for %d lines, more than twice what the bound allows", cap(r.lines))
	}
	got := ls.snapshot("svc", 3)
	if len(got) != 3 || !strings.HasPrefix(got[2].Line, "line 09999") || !strings.HasPrefix(got[0].Line, "line 09997") {
		t.Fatalf("last 3 lines: %+v", got)
	}
	if all := ls.snapshot("svc", -1); len(all) != len(r.lines) || len(all) < 20 {
		t.Fatalf("all lines: %d, ring has %d", len(all), len(r.lines))
	}
}

func TestRingHugeLine(t *testing.T) {
	ls := newLogStore(minLogRing)
	ls.add("svc", "stdout", []byte("before"))
	ls.add("svc", "stdout", []byte(strings.Repeat("h", 10*minLogRing)))
	got := ls.snapshot("svc", -1)
	if len(got) != 1 || len(got[0].Line) != minLogRing-lineOverhead {
		t.Fatalf("after a line 10 times the ring: %d lines, first %d bytes", len(got), len(got[0].Line))
	}
	ls.add("svc", "stderr", []byte("after"))
	got = ls.snapshot("svc", -1)
	if len(got) != 1 || got[0].Line != "after" || got[0].Stream != "stderr" {
		t.Fatalf("a line after it: %+v", got)
	}
}

func TestRingMergeOrder(t *testing.T) {
	ls := newLogStore(minLogRing)
	ls.declare("quiet")
	for i := range 30 {
		svc := []string{"a", "b", "c"}[i%3]
		if i%7 == 0 {
			svc = "a" // runs of one service too
		}
		ls.add(svc, "stdout", fmt.Appendf(nil, "%d", i))
	}
	got := ls.snapshot("", 10)
	if len(got) != 10 {
		t.Fatalf("%d lines, want 10", len(got))
	}
	for i, l := range got {
		if want := fmt.Sprint(20 + i); l.Line != want {
			t.Fatalf("merged line %d is %q (%s), want %s", i, l.Line, l.Service, want)
		}
	}
	if q := ls.snapshot("quiet", 10); len(q) != 0 || !ls.known("quiet") || ls.known("nope") {
		t.Fatalf("declared service: %v known %v; unknown known %v", q, ls.known("quiet"), ls.known("nope"))
	}
}

func TestFollowNoGapAndSlowReaderDropped(t *testing.T) {
	ls := newLogStore(minLogRing)
	ls.add("a", "stdout", []byte("old"))
	tail, f := ls.follow("a", 10)
	ls.add("b", "stdout", []byte("other service"))
	ls.add("a", "stdout", []byte("new"))
	if len(tail) != 1 || tail[0].Line != "old" {
		t.Fatalf("tail %+v", tail)
	}
	ctx := context.Background()
	if l, err := f.Next(ctx); err != nil || l.Line != "new" {
		t.Fatalf("next: %+v %v", l, err)
	}
	// Nobody reads now: adding never waits, and the follower is dropped
	// once its queue is full, in lines or in bytes.
	done := make(chan struct{})
	go func() {
		for i := range 10 * followBuffer {
			ls.add("a", "stdout", fmt.Appendf(nil, "flood %d", i))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("adding lines waited for a follower that does not read")
	}
	n := 0
	var err error
	for ; err == nil; n++ {
		_, err = f.Next(ctx)
	}
	if !errors.Is(err, ErrFollowDropped) || n-1 > followBuffer {
		t.Fatalf("after %d queued lines: %v (want at most %d, then ErrFollowDropped)", n-1, err, followBuffer)
	}
	if len(ls.follows) != 0 {
		t.Fatal("a dropped follower is still kept")
	}

	_, f2 := ls.follow("", 0)
	ls.add("c", "stdout", []byte("last"))
	ls.finish()
	if l, err := f2.Next(ctx); err != nil || l.Line != "last" {
		t.Fatalf("queued before finish: %+v %v", l, err)
	}
	if _, err := f2.Next(ctx); !errors.Is(err, ErrFollowEnded) {
		t.Fatalf("after finish: %v", err)
	}
	if _, f3 := ls.follow("", 0); f3 != nil {
		if _, err := f3.Next(ctx); !errors.Is(err, ErrFollowEnded) {
			t.Fatalf("follow after finish: %v", err)
		}
	}
}

func TestFollowBytesBound(t *testing.T) {
	ls := newLogStore(1 << 20)
	_, f := ls.follow("a", 0)
	big := []byte(strings.Repeat("b", 16<<10))
	for range 200 { // 3.2 MiB, over followBufferBytes
		ls.add("a", "stdout", big)
	}
	if q := f.queued.Load(); q > int64(followBufferBytes) {
		t.Fatalf("%d bytes queued for a follower, bound %d", q, followBufferBytes)
	}
	if !f.dropped.Load() {
		t.Fatal("follower over its byte bound not dropped")
	}
}

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		err  string
	}{
		{"262144", 262144, ""},
		{"512KiB", 512 << 10, ""},
		{"1MiB", 1 << 20, ""},
		{"64k", 64 << 10, ""},
		{"2M", 2 << 20, ""},
		{"100KB", 100000, ""},
		{"1GiB", 0, "between"},
		{"1KiB", 0, "between"},
		{"lots", 0, "want a size"},
		{"12XB", 0, "want a size"},
		{"-5MiB", 0, "want a size"},
		{"10 PiB", 0, "want a size"},
	} {
		got, err := parseSize(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseSize(%q) = %d, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

func TestOutputSettingsFromEnv(t *testing.T) {
	t.Setenv("KINIT_OUTPUT", "")
	t.Setenv("KINIT_LOG_RING", "")
	var o Options
	if err := outputSettings(&o); err != nil || o.OutputMode != OutputFull || o.LogRingBytes != 256<<10 {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	t.Setenv("KINIT_OUTPUT", "summary")
	t.Setenv("KINIT_LOG_RING", "1MiB")
	o = Options{}
	if err := outputSettings(&o); err != nil || o.OutputMode != OutputSummary || o.LogRingBytes != 1<<20 {
		t.Fatalf("summary, 1MiB: %+v %v", o, err)
	}
	t.Setenv("KINIT_OUTPUT", "quiet")
	if err := outputSettings(&Options{}); err == nil || !strings.Contains(err.Error(), `KINIT_OUTPUT="quiet"`) {
		t.Fatalf("bad KINIT_OUTPUT: %v", err)
	}
	t.Setenv("KINIT_OUTPUT", "")
	t.Setenv("KINIT_LOG_RING", "big")
	if err := outputSettings(&Options{}); err == nil || !strings.Contains(err.Error(), `KINIT_LOG_RING="big"`) {
		t.Fatalf("bad KINIT_LOG_RING: %v", err)
	}
}
