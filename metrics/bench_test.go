package metrics

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	esstandin "github.com/kinit/kinit/standins/elasticsearch"
)

// idleTrees starts n services like the bench: sh with two sleeping children.
func idleTrees(b *testing.B, n int) []int {
	b.Helper()
	var pids []int
	for i := 0; i < n; i++ {
		cmd := exec.Command("sh", "-c", "sleep 100000 & sleep 100000 & wait")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		pid := cmd.Process.Pid
		b.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL); cmd.Wait() })
		pids = append(pids, pid)
	}
	time.Sleep(100 * time.Millisecond)
	return pids
}

// BenchmarkSamplePass is one steady-state pass summing 4 service trees
// (five passes in six skip processes outside the trees).
func BenchmarkSamplePass(b *testing.B) {
	roots := idleTrees(b, 4)
	s := NewSampler("/proc")
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Sample(roots); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSampleFullPass reads every process, as every sixth pass does
// (and every pass of a ps-style scanner).
func BenchmarkSampleFullPass(b *testing.B) {
	roots := idleTrees(b, 4)
	s := NewSampler("/proc")
	b.ResetTimer()
	for b.Loop() {
		s.passes = 0
		if _, err := s.Sample(roots); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnqueue is the supervisor's side: one O(1) push into a full
// queue (the worst case, with eviction).
func BenchmarkEnqueue(b *testing.B) {
	sh, err := NewShipper(Config{URLs: []string{"http://127.0.0.1:9"}, QueueSize: 1024}, nil)
	if err != nil {
		b.Fatal(err)
	}
	d := testDoc(1)
	for b.Loop() {
		sh.Enqueue(d)
	}
}

// BenchmarkShipBatch is one pass's bulk request (5 documents) to the
// in-process stand-in; the stand-in's own work is included.
func BenchmarkShipBatch(b *testing.B) {
	es, err := esstandin.Start(esstandin.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer es.Close()
	// The product is given: sendOnce is what Run calls once it knows it.
	sh, err := NewShipper(Config{URLs: []string{es.URL()}, SkipTemplate: true, Product: ProductElasticsearch}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		for i := 0; i < 5; i++ {
			sh.Enqueue(testDoc(i))
		}
		if !sh.sendOnce(ctx) {
			b.Fatal(sh.State().LastError)
		}
	}
}
