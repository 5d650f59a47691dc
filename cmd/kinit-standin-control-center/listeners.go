package main

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// Listener is one http:// listener of a Confluent REST service
// ("http://0.0.0.0:8081").
type Listener struct {
	URL  string // as configured
	Addr string // host:port to bind
}

// ParseListeners checks listener URLs: only http is served by a stand-in
// (https needs the real product), and each needs a host and a port.
func ParseListeners(urls []string) ([]Listener, error) {
	if len(urls) == 0 {
		return nil, fmt.Errorf("no listeners")
	}
	out := make([]Listener, 0, len(urls))
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("cannot parse listener %q: %w", raw, err)
		}
		if u.Scheme != "http" {
			return nil, fmt.Errorf("listener %q: only http is supported by the stand-in", raw)
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil {
			return nil, fmt.Errorf("listener %q: want http://host:port", raw)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("listener %q: bad port %q", raw, port)
		}
		out = append(out, Listener{URL: raw, Addr: net.JoinHostPort(host, port)})
	}
	return out, nil
}
