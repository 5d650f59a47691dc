package main

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"time"
)

// describeFunc fetches the cluster's metadata; tests replace it with a
// function over a fixed Cluster value only where no broker is involved.
type describeFunc func(ctx context.Context) (Cluster, error)

// Health is the body of GET /health.
type Health struct {
	Status    string   `json:"status"` // UP or DOWN
	ClusterID string   `json:"cluster_id,omitempty"`
	Brokers   []string `json:"brokers,omitempty"`
	Error     string   `json:"error,omitempty"`
	// SchemaRegistry is there when a registry is configured; it does not
	// change Status.
	SchemaRegistry *RegistryHealth `json:"schema_registry,omitempty"`
}

type page struct {
	Config  Config
	Started time.Time
	Cluster Cluster
}

var pageTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><title>Control Center stand-in</title></head>
<body>
<h1>Control Center stand-in</h1>
<p>This is kinit's stand-in, not Confluent Control Center.</p>
<table>
<tr><th>id</th><td>{{.Config.ID}}</td></tr>
<tr><th>started</th><td>{{.Started.Format "2006-01-02T15:04:05Z07:00"}}</td></tr>
<tr><th>bootstrap.servers</th><td>{{range $i, $b := .Config.Bootstrap}}{{if $i}},{{end}}{{$b}}{{end}}</td></tr>
<tr><th>kafka security</th><td>{{.Config.Security}}</td></tr>
<tr><th>kafka cluster</th><td>{{.Cluster.ID}}</td></tr>
<tr><th>brokers at start</th><td>{{range $i, $b := .Cluster.Brokers}}{{if $i}}, {{end}}{{$b}}{{end}}</td></tr>
<tr><th>schema registry</th><td>{{.Config.SchemaRegistryURL}}</td></tr>
<tr><th>zookeeper.connect</th><td>{{.Config.ZooKeeper}}</td></tr>
</table>
<p>Live broker check: <a href="/health">/health</a></p>
</body></html>
`))

// NewHandler serves the status page (what the cluster looked like at start)
// and /health, which asks the brokers (and the schema registry, if any)
// again on every call.
func NewHandler(cfg Config, atStart Cluster, started time.Time, describe describeFunc) http.Handler {
	registry := RegistryClient(cfg.Security)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageTmpl.Execute(w, page{Config: cfg, Started: started, Cluster: atStart})
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 5*time.Second)
		defer cancel()
		h, status := Health{Status: "UP"}, http.StatusOK
		c, err := describe(ctx)
		if err != nil {
			h, status = Health{Status: "DOWN", Error: err.Error()}, http.StatusServiceUnavailable
		} else {
			h.ClusterID = c.ID
			for _, b := range c.Brokers {
				h.Brokers = append(h.Brokers, b.String())
			}
		}
		if cfg.SchemaRegistryURL != "" {
			h.SchemaRegistry = CheckRegistry(ctx, registry, cfg.SchemaRegistryURL)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(h)
	})
	return mux
}
