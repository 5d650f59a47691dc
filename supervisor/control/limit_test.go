package control

import (
	"errors"
	"net"
	"path/filepath"
	"testing"
)

// listenLimited is a limitListener of max slots on a new socket, and the
// socket's path.
func listenLimited(t *testing.T, max int) (*limitListener, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	return newLimitListener(ul, max), path
}

func TestLimitListener(t *testing.T) {
	l, path := listenLimited(t, 2)
	defer l.Close()
	for range 3 {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	c1, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	third := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
		}
		third <- c
	}()
	// Closed twice, c1 gives back one slot: the third client gets it and
	// both slots are taken again.
	c1.Close()
	c1.Close()
	c3 := <-third
	if n := len(l.slots); n != 2 {
		t.Fatalf("%d slots taken with two connections open, want 2", n)
	}
	c2.Close()
	c3.Close()
	if n := len(l.slots); n != 0 {
		t.Fatalf("%d slots taken with every connection closed", n)
	}
}

// An Accept waiting for a slot ends when the server closes the listener.
func TestLimitListenerClose(t *testing.T) {
	l, path := listenLimited(t, 1)
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := l.Accept(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	l.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v", err)
	}
}
