package cgroup

import "testing"

func BenchmarkReadUsageLive(b *testing.B) {
	for b.Loop() {
		if _, err := ReadUsage("/"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReaderUsageLive(b *testing.B) {
	r, err := NewReader("/")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := r.Usage(); err != nil {
			b.Fatal(err)
		}
	}
}
