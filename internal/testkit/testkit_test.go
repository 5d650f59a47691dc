package testkit

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestRecordedSignals(t *testing.T) {
	file := filepath.Join(t.TempDir(), "signals")
	if got := RecordedSignals(t, file, "a"); len(got) != 0 {
		t.Errorf("before the file exists: %q", got)
	}
	body := "a SIGHUP 1\nb SIGUSR2 2\na SIGTERM 3\nab SIGINT 4\na torn\n\na SIGUSR1 5"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want []string
	}{
		{"a", []string{"SIGHUP", "SIGTERM", "SIGUSR1"}},
		{"b", []string{"SIGUSR2"}},
		{"c", nil},
	}
	for _, tt := range tests {
		if got := RecordedSignals(t, file, tt.name); !slices.Equal(got, tt.want) {
			t.Errorf("RecordedSignals(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestBufferConcurrentWriters(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Write([]byte("x\n"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(b.String(), "x\n"); n != 400 {
		t.Errorf("got %d lines, want 400", n)
	}
}

func TestEventually(t *testing.T) {
	n := 0
	Eventually(t, "the third poll", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Errorf("polled %d times, want 3", n)
	}
}
