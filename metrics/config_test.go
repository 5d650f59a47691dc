package metrics

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
		secret  string // must not appear in the error
	}{
		{name: "off without url", env: map[string]string{},
			want: Config{Index: defaultIndex, Template: defaultTemplate, Interval: 10 * time.Second, QueueSize: 4096, BatchSize: 500,
				FlushInterval: time.Second, Timeout: 10 * time.Second, ShutdownFlush: 2 * time.Second}},
		{name: "all set", env: map[string]string{
			"KINIT_ES_URLS": " https://es1:9200, https://es2:9200 ", "KINIT_ES_API_KEY": "k3y", "KINIT_ES_CA_CERT": "/ca.pem",
			"KINIT_METRICS_INTERVAL": "30s", "KINIT_ES_DATA_STREAM": "metrics-kinit-{kind}"},
			want: Config{URLs: []string{"https://es1:9200", "https://es2:9200"}, APIKey: "k3y", CAFile: "/ca.pem",
				DataStream: "metrics-kinit-{kind}", Index: defaultIndex, Template: defaultTemplate, Interval: 30 * time.Second,
				QueueSize: 4096, BatchSize: 500, FlushInterval: time.Second, Timeout: 10 * time.Second, ShutdownFlush: 2 * time.Second}},
		{name: "interval in seconds", env: map[string]string{"KINIT_ES_URLS": "http://es:9200", "KINIT_METRICS_INTERVAL": "5"},
			want: Config{URLs: []string{"http://es:9200"}, Index: defaultIndex, Template: defaultTemplate, Interval: 5 * time.Second,
				QueueSize: 4096, BatchSize: 500, FlushInterval: time.Second, Timeout: 10 * time.Second, ShutdownFlush: 2 * time.Second}},
		{name: "userinfo moves out of the url", env: map[string]string{"KINIT_ES_URLS": "http://elastic:s3cret@es:9200"},
			want: Config{URLs: []string{"http://es:9200"}, Username: "elastic", Password: "s3cret", Index: defaultIndex, Template: defaultTemplate,
				Interval: 10 * time.Second, QueueSize: 4096, BatchSize: 500, FlushInterval: time.Second, Timeout: 10 * time.Second, ShutdownFlush: 2 * time.Second}},
		{name: "bad interval", env: map[string]string{"KINIT_METRICS_INTERVAL": "soon"}, wantErr: `cannot parse KINIT_METRICS_INTERVAL="soon"`},
		{name: "zero interval", env: map[string]string{"KINIT_METRICS_INTERVAL": "0"}, wantErr: "want a positive duration"},
		{name: "tiny interval", env: map[string]string{"KINIT_ES_URLS": "http://es:9200", "KINIT_METRICS_INTERVAL": "1ms"}, wantErr: "below 100ms"},
		{name: "bad scheme keeps the secret out", env: map[string]string{"KINIT_ES_URLS": "ftp://u:topsecret@es"},
			wantErr: "cannot use elasticsearch url", secret: "topsecret"},
		{name: "opensearch forced", env: map[string]string{"KINIT_ES_URLS": "http://os:9200", "KINIT_ES_PRODUCT": " OpenSearch "},
			want: Config{URLs: []string{"http://os:9200"}, Product: ProductOpenSearch, Index: defaultIndex, Template: defaultTemplate,
				Interval: 10 * time.Second, QueueSize: 4096, BatchSize: 500, FlushInterval: time.Second, Timeout: 10 * time.Second, ShutdownFlush: 2 * time.Second}},
		{name: "unknown product", env: map[string]string{"KINIT_ES_URLS": "http://os:9200", "KINIT_ES_PRODUCT": "solr"},
			wantErr: `cannot parse KINIT_ES_PRODUCT="solr": want auto, elasticsearch or opensearch`},
		{name: "user without password", env: map[string]string{"KINIT_ES_URLS": "http://es:9200", "KINIT_ES_USERNAME": "u"},
			wantErr: "without KINIT_ES_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
					t.Errorf("error shows the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Enabled() != (tt.env["KINIT_ES_URLS"] != "") {
				t.Errorf("Enabled() = %v", got.Enabled())
			}
			if strings.Join(got.URLs, ",") != strings.Join(tt.want.URLs, ",") {
				t.Errorf("URLs = %v, want %v", got.URLs, tt.want.URLs)
			}
			got.URLs, tt.want.URLs = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestIndexNames(t *testing.T) {
	day := time.Date(2024, 3, 9, 23, 30, 0, 0, time.FixedZone("x", -2*3600)) // 01:30 UTC on the 10th
	tests := []struct {
		cfg      Config
		kind     string
		want     string
		patterns string
	}{
		{Config{Index: defaultIndex}, "metrics", "kinit-metrics-2024.03.10", "kinit-*-*"},
		{Config{Index: "ops-{date}"}, "events", "ops-2024.03.10", "ops-*"},
		{Config{Index: defaultIndex, DataStream: "logs-kinit.{kind}-prod"}, "events", "logs-kinit.events-prod", "logs-kinit.*-prod"},
		{Config{DataStream: "metrics-kinit-default"}, "metrics", "metrics-kinit-default", "metrics-kinit-default"},
	}
	for _, tt := range tests {
		if got := tt.cfg.indexFor(tt.kind, day); got != tt.want {
			t.Errorf("indexFor(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
		if got := strings.Join(tt.cfg.indexPatterns(), ","); got != tt.patterns {
			t.Errorf("indexPatterns(%+v) = %q, want %q", tt.cfg, got, tt.patterns)
		}
	}
}
