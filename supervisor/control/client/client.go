// Package client talks to a running kinit over its control socket. It is
// what the CLI uses; its types mirror the documented JSON and nothing
// else, so the CLI does not depend on the supervisor's internals.
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

// Status is GET /v1/status.
type Status struct {
	Node     Node      `json:"node"`
	Kinit    Kinit     `json:"kinit"`
	Ready    bool      `json:"ready"`
	Services []Service `json:"services"`
	Sections []Section `json:"sections"`
}

// Node is the status header.
type Node struct {
	Role     string `json:"role"`
	ID       int    `json:"id"`
	FQDN     string `json:"fqdn"`
	Hostname string `json:"hostname"`
	ConfigID string `json:"config_id"`
	Cluster  string `json:"cluster"`
}

// Kinit is the supervisor process itself.
type Kinit struct {
	Pid           int       `json:"pid"`
	StartedAt     time.Time `json:"started_at"`
	UptimeSeconds float64   `json:"uptime_seconds"`
	Phase         string    `json:"phase"`
	OutputDropped uint64    `json:"output_dropped"`
}

// Service is one row of the status table.
type Service struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	State         string     `json:"state"`
	Since         time.Time  `json:"since"`
	Required      bool       `json:"required"`
	Pid           int        `json:"pid"`
	StartedAt     *time.Time `json:"started_at,omitempty"`
	UptimeSeconds float64    `json:"uptime_seconds"`
	Ready         bool       `json:"ready"`
	ReadyAt       *time.Time `json:"ready_at,omitempty"`
	Unhealthy     *Unhealthy `json:"unhealthy"`
	Restarts      int        `json:"restarts"`
	Failures      int        `json:"failures"`
	WaitingOn     string     `json:"waiting_on"`
	Waits         []Wait     `json:"waits"`
	LastExit      *Exit      `json:"last_exit"`
	NextStart     *time.Time `json:"next_start,omitempty"`
	Message       string     `json:"message"`
}

// Unhealthy is set while a ready service fails its checks.
type Unhealthy struct {
	Since    time.Time `json:"since"`
	Reason   string    `json:"reason"`
	Failures int       `json:"failures"`
}

// Wait is one wait of a waiting service.
type Wait struct {
	Service   string    `json:"service"`
	Local     bool      `json:"local"`
	Satisfied bool      `json:"satisfied"`
	Since     time.Time `json:"since"`
	Attempts  int       `json:"attempts"`
	Detail    string    `json:"detail"`
}

// Exit is how a service's last process ended.
type Exit struct {
	At       time.Time `json:"at"`
	Pid      int       `json:"pid"`
	Code     int       `json:"code"`
	Signal   string    `json:"signal"`
	Expected bool      `json:"expected"`
	Clean    bool      `json:"clean"`
	Text     string    `json:"text"`
}

// Section is an extra status block (e.g. the metrics shipper).
type Section struct {
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

// Health is GET /v1/health.
type Health struct {
	Ready    bool     `json:"ready"` // every required service ready now
	NotReady []string `json:"not_ready"`
	Live     bool     `json:"live"` // nothing failed for good
	Failed   []string `json:"failed"`
	Phase    string   `json:"phase"`
}

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
	socket string
	http   *http.Client
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
	return &Client{socket: socket, http: &http.Client{Transport: tr, Timeout: 15 * time.Second}}
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
	var e struct {
		Error string `json:"error"`
	}
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
