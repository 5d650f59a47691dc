package testkit

import (
	"net"
	"testing"
)

// FreePorts asks the kernel for n distinct free ports on 127.0.0.1. The
// listeners are all held until the last one is chosen: one closed before
// the next bind(0) may come back as the same port, and two services of a
// node then clash. Another process could still take a port before the
// service binds it; on a test machine that shows as a clear failure.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// Listen listens on network/addr until t ends, accepting and closing every
// connection: enough for a tcp probe, or to make a socket look taken.
func Listen(t testing.TB, network, addr string) {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatalf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}
