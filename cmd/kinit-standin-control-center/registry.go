// The schema registry as /health sees it: one GET of its URL, over TLS
// trusting the Kafka truststore's CA when the URL is https (kinit's
// registry serves a certificate from the same CA as the brokers).

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// checkRegistryURL accepts an empty URL (no registry) or an http(s) one
// with a host.
func checkRegistryURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want http://host:port or https://host:port, got %q", raw)
	}
	return nil
}

// RegistryClient is the HTTP client for the schema registry: its TLS
// trusts sec's truststore (the system's CAs when there is none) and
// presents sec's client certificate, if any.
func RegistryClient(sec Security) *http.Client {
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true, TLSClientConfig: sec.TLSConfig()}
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// RegistryHealth is the schema registry part of GET /health.
type RegistryHealth struct {
	URL    string `json:"url"`
	Status string `json:"status"` // UP (it answered HTTP) or DOWN
	Code   int    `json:"http_status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// CheckRegistry GETs url: any HTTP answer means the registry is up and
// its certificate trusted; the overall health stays the brokers'.
func CheckRegistry(ctx context.Context, cl *http.Client, url string) *RegistryHealth {
	h := &RegistryHealth{URL: url, Status: "DOWN"}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		h.Error = err.Error()
		return h
	}
	resp, err := cl.Do(req)
	if err != nil {
		h.Error = err.Error()
		return h
	}
	resp.Body.Close()
	h.Status, h.Code = "UP", resp.StatusCode
	return h
}
