// Package client talks to a running kinit over its control socket. It is
// what the CLI uses; it reads the socket's JSON schema (package api), so
// the CLI does not depend on the supervisor's internals.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/kinit/kinit/supervisor/control/api"
)

// DefaultSocket is used when KINIT_SOCKET is not set: the one default of
// both ends (the server's control.SocketPath reads it from here).
const DefaultSocket = "/run/kinit/kinit.sock"

// SocketPath is KINIT_SOCKET or DefaultSocket.
func SocketPath() string {
	if p := os.Getenv("KINIT_SOCKET"); p != "" {
		return p
	}
	return DefaultSocket
}

// The answers' types are the socket's one JSON schema (package api).
type (
	Status    = api.Status
	Node      = api.Node
	Kinit     = api.Kinit
	Service   = api.Service
	Unhealthy = api.Unhealthy
	Wait      = api.Wait
	Exit      = api.Exit
	Section   = api.Section
	Health    = api.Health
)

// Error is an error answer of the server.
type Error struct {
	StatusCode int
	Message    string
}

func (e *Error) Error() string { return e.Message }

// ErrNotRunning means nothing listens on the socket.
var ErrNotRunning = errors.New("kinit is not running")

// Client is a connection to one socket.
type Client struct {
	socket  string
	http    *http.Client
	streams *http.Client // no overall timeout: Logs and Events last
}

// New returns a client for socket ("" means SocketPath()).
func New(socket string) *Client {
	if socket == "" {
		socket = SocketPath()
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableKeepAlives: true,
	}
	return &Client{socket: socket, http: &http.Client{Transport: tr, Timeout: 15 * time.Second}, streams: &http.Client{Transport: tr}}
}

// Status fetches the node's status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var st Status
	if _, err := c.do(ctx, http.MethodGet, "/v1/status", &st, http.StatusOK); err != nil {
		return nil, err
	}
	return &st, nil
}

// Health fetches readiness; a not-ready node is not an error.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if _, err := c.do(ctx, http.MethodGet, "/v1/health", &h, http.StatusOK, http.StatusServiceUnavailable); err != nil {
		return nil, err
	}
	return &h, nil
}

// Act runs start, stop or restart on a service.
func (c *Client) Act(ctx context.Context, action, service string) error {
	_, err := c.do(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(service)+"/"+action, nil, http.StatusAccepted)
	return err
}

// Signal sends a signal (a name such as QUIT or a number) to a service's
// process group.
func (c *Client) Signal(ctx context.Context, service, sig string) error {
	_, err := c.do(ctx, http.MethodPost, "/v1/services/"+url.PathEscape(service)+"/signal/"+url.PathEscape(sig), nil, http.StatusAccepted)
	return err
}

func (c *Client) do(ctx context.Context, method, path string, out any, okCodes ...int) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://kinit"+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, c.connError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("cannot read answer from %s: %w", c.socket, err)
	}
	for _, ok := range okCodes {
		if resp.StatusCode == ok {
			if out != nil {
				if err := json.Unmarshal(body, out); err != nil {
					return resp.StatusCode, fmt.Errorf("cannot decode answer from %s: %w", c.socket, err)
				}
			}
			return resp.StatusCode, nil
		}
	}
	var e api.Problem
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		e.Error = fmt.Sprintf("unexpected answer %s", resp.Status)
	}
	return resp.StatusCode, &Error{StatusCode: resp.StatusCode, Message: e.Error}
}

func (c *Client) connError(err error) error {
	switch {
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w (nothing answers on %s; set KINIT_SOCKET if it lives elsewhere)", ErrNotRunning, c.socket)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("permission denied on %s: only root and the user kinit runs as may use it", c.socket)
	}
	return fmt.Errorf("cannot reach kinit on %s: %w", c.socket, err)
}
