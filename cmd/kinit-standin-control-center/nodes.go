// Every kinit node's state, read from its read-only status listener
// (kinit's KINIT_STATUS_LISTEN, docs/kafka.md): the nodes come from the
// same nodes list kinit itself reads (KINIT_NODES, else KINIT_NODES_FILE),
// which a service of kinit inherits in its environment.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/supervisor/control/api"
)

// DefaultStatusPort is kinit's control.DefaultStatusPort (a test checks
// they agree; importing the supervisor here for one number would not pay).
const DefaultStatusPort = 9095

// maxStatusBody bounds one node's status answer.
const maxStatusBody = 1 << 20

// NodeAddr is one node whose status the page shows.
type NodeAddr struct {
	Role string
	Host string
	URL  string // http://host:port/v1/status
}

// NodesFromEnv lists the nodes to ask: every host of the nodes list, on
// the port of this node's own KINIT_STATUS_LISTEN (a cluster sets it
// alike on every node), else DefaultStatusPort. Without a nodes list
// (one node, as the demo runs) it asks this node on 127.0.0.1.
func NodesFromEnv(getenv func(string) string) ([]NodeAddr, error) {
	port := strconv.Itoa(DefaultStatusPort)
	if v := getenv("KINIT_STATUS_LISTEN"); v != "" {
		_, p, err := net.SplitHostPort(v)
		if err != nil {
			return nil, fmt.Errorf("KINIT_STATUS_LISTEN=%q: want ADDR:PORT: %v", v, err)
		}
		port = p
	}
	text, source := getenv(roles.EnvNodes), roles.EnvNodes
	if text == "" {
		if f := getenv(roles.EnvNodesFile); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", roles.EnvNodesFile, err)
			}
			text, source = string(b), f
		}
	}
	if strings.TrimSpace(text) == "" {
		return []NodeAddr{{Role: "this node", Host: "127.0.0.1", URL: statusURL("127.0.0.1", port)}}, nil
	}
	nl, err := roles.ParseNodes(source, text)
	if err != nil {
		return nil, err
	}
	var out []NodeAddr
	for _, e := range nl.Entries { // ParseNodes refuses a host listed twice
		out = append(out, NodeAddr{Role: e.Role, Host: e.Host, URL: statusURL(e.Host, port)})
	}
	return out, nil
}

func statusURL(host, port string) string {
	return "http://" + net.JoinHostPort(host, port) + "/v1/status"
}

// sampleNodes asks every node at once; a node that does not answer shows
// why, with the likely cause.
func sampleNodes(ctx context.Context, cl *http.Client, nodes []NodeAddr) []NodeView {
	out := make([]NodeView, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			out[i] = NodeView{Role: n.Role, Host: n.Host, URL: n.URL}
			st, err := fetchStatus(ctx, cl, n.URL)
			if err != nil {
				out[i].Error = err.Error() + " (is KINIT_STATUS_LISTEN set on that node?)"
				return
			}
			out[i].Status = st
		})
	}
	wg.Wait()
	return out
}

func fetchStatus(ctx context.Context, cl *http.Client, url string) (*api.Status, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var st api.Status
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStatusBody)).Decode(&st); err != nil {
		return nil, fmt.Errorf("GET %s: %v", url, err)
	}
	return &st, nil
}

// statusClient is the plain HTTP client for the nodes' status listeners.
func statusClient() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 3 * time.Second}
}
