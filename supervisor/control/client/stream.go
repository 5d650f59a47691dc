package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kinit/kinit/supervisor/control/api"
)

// The streams' types (package api).
type (
	LogLine = api.LogLine
	Message = api.Message
	Event   = api.Event
)

// ErrStreamEnded means kinit ended a stream: it is stopping, or this client
// read too slowly and was dropped.
var ErrStreamEnded = errors.New("kinit ended the stream")

// LogsOptions select what Logs reads.
type LogsOptions struct {
	Service string // "" means every service, merged in time order
	Lines   int    // the last N lines; 0 means the server's default (100)
	Follow  bool   // keep the stream open for new lines
}

// Logs calls fn for each line of GET /v1/logs until the answer ends, fn
// returns an error, or ctx ends. Without Follow the answer ends after the
// last kept line and Logs returns nil; with it, an end of the stream is
// ErrStreamEnded. An unknown service is an *Error with StatusCode 404.
func (c *Client) Logs(ctx context.Context, o LogsOptions, fn func(LogLine) error) error {
	q := url.Values{}
	if o.Service != "" {
		q.Set("service", o.Service)
	}
	if o.Lines > 0 {
		q.Set("n", strconv.Itoa(o.Lines))
	}
	if o.Follow {
		q.Set("follow", "1")
	}
	err := c.stream(ctx, "/v1/logs?"+q.Encode(), func(b []byte) error {
		var l LogLine
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("cannot decode log line from %s: %w", c.socket, err)
		}
		return fn(l)
	})
	if err == nil && o.Follow && ctx.Err() == nil {
		return ErrStreamEnded
	}
	return err
}

// Events calls fn for each message of GET /v1/events (a status, then
// statuses and events as they come) until fn returns an error or ctx ends;
// a stream that kinit ends is ErrStreamEnded.
func (c *Client) Events(ctx context.Context, fn func(Message) error) error {
	err := c.stream(ctx, "/v1/events", func(b []byte) error {
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("cannot decode event from %s: %w", c.socket, err)
		}
		return fn(m)
	})
	if err == nil && ctx.Err() == nil {
		return ErrStreamEnded
	}
	return err
}

// stream reads an NDJSON answer line by line. It has no overall timeout
// (a follow lasts as long as the caller wants); ctx ends it.
func (c *Client) stream(ctx context.Context, path string, each func([]byte) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://kinit"+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.streams.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.connError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		var e api.Problem
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("unexpected answer %s", resp.Status)
		}
		return &Error{StatusCode: resp.StatusCode, Message: e.Error}
	}
	sc := bufio.NewScanner(resp.Body)
	// A status of many services or a JSON-escaped 16 KiB line is long.
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		if err := each(sc.Bytes()); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("cannot read stream from %s: %w", c.socket, err)
	}
	return nil
}
