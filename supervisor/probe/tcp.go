package probe

import (
	"context"
	"net"
)

// TCP passes when Addr accepts a connection.
type TCP struct{ Addr string }

func (p TCP) String() string { return p.Addr }

func (p TCP) Check(ctx context.Context) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return dialFailure(p.Addr, err)
	}
	return c.Close()
}
