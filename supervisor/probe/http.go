package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/kinit/kinit/plan"
)

// HTTP passes when a GET of each URL, in order, answers 2xx: a server
// whose health endpoint and API come up apart (Apicurio's management port
// and its Confluent API) is ready only when both answer.
type HTTP struct {
	URLs []string
	// Security's TLS part is how an https URL's server is trusted (its
	// CA) and, for mutual TLS, the client certificate; nil: the system's
	// roots.
	Security *plan.Security
}

// httpClient keeps no idle connections: a probe runs rarely, and an idle
// keep-alive connection would hold goroutines for nothing.
var httpClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

func (p HTTP) String() string { return strings.Join(p.URLs, " and ") }

func (p HTTP) Check(ctx context.Context) error {
	for _, u := range p.URLs {
		if err := get(ctx, u, p.Security); err != nil {
			return err
		}
	}
	return nil
}

func get(ctx context.Context, target string, sec *plan.Security) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fail(target, "is not a valid url", err)
	}
	client, err := httpClientFor(target, sec)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return dialFailure(target, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(target, fmt.Sprintf("answered %d", resp.StatusCode), nil)
	}
	return nil
}
