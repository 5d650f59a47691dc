package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTP passes when a GET of URL answers 2xx.
type HTTP struct{ URL string }

// httpClient keeps no idle connections: a probe runs rarely, and an idle
// keep-alive connection would hold goroutines for nothing.
var httpClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

func (p HTTP) String() string { return p.URL }

func (p HTTP) Check(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return fail(p.URL, "is not a valid url", err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return dialFailure(p.URL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(p.URL, fmt.Sprintf("answered %d", resp.StatusCode), nil)
	}
	return nil
}
