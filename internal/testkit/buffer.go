package testkit

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer safe for several writers (a supervisor's or a
// process's output copied by more than one goroutine) and a reading test.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
