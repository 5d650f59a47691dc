package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
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

//go:embed web/page.html web/page.css web/page.js
var web embed.FS

var pageTmpl = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"plot":    func(g GroupView) template.HTML { return LagPlot(g.Name, g.History) },
	"seconds": func(s float64) time.Duration { return (time.Duration(s) * time.Second).Round(time.Second) },
}).ParseFS(web, "web/page.html"))

// page is what the page template shows: the stand-in's settings, the
// cluster at start and the monitor's latest sample.
type page struct {
	Config      Config
	Started     time.Time
	Cluster     Cluster
	View        View
	Every       time.Duration
	EveryMillis int64
}

// NewHandler serves the cluster page and GET /api/cluster (latest returns
// the monitor's last sample), the page's own assets under /static/, and
// /health, which asks the brokers (and the schema registry, if any) again
// on every call.
func NewHandler(cfg Config, atStart Cluster, started time.Time, describe describeFunc, latest func() View) http.Handler {
	registry := RegistryClient(cfg.Security)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		var b bytes.Buffer
		err := pageTmpl.Execute(&b, page{Config: cfg, Started: started, Cluster: atStart, View: latest(),
			Every: SampleEvery, EveryMillis: SampleEvery.Milliseconds()})
		if err != nil {
			http.Error(w, "cannot render the page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = b.WriteTo(w)
	})
	mux.HandleFunc("GET /api/cluster", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(latest())
	})
	static, _ := fs.Sub(web, "web")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
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
