package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestConfigFrom(t *testing.T) {
	tests := []struct {
		file string
		want Config
	}{
		{"testdata/full.properties", Config{
			Listeners:         []Listener{{URL: "http://0.0.0.0:9021", Addr: "0.0.0.0:9021"}},
			Bootstrap:         []string{"kafka-1.example:9092", "kafka-2.example:9092"},
			Security:          Security{Protocol: Plaintext},
			SchemaRegistryURL: "http://schemareg-1.example:8081",
			ID:                "7",
			ZooKeeper:         "zk-1.example:2181",
		}},
		{"testdata/port.properties", Config{
			Listeners: []Listener{{URL: "http://0.0.0.0:19021", Addr: "0.0.0.0:19021"}},
			Bootstrap: []string{"localhost:9092"},
			Security:  Security{Protocol: Plaintext},
			ID:        "1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := Load(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ConfigFrom(p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ConfigFrom:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"confluent.controlcenter.rest.listeners=https://0.0.0.0:9021", "c3.properties:1: confluent.controlcenter.rest.listeners: "},
		{"\n\nbootstrap.servers=SSL://b:9093", "c3.properties:3: bootstrap.servers: "},
		{"confluent.controlcenter.schema.registry.url=sr:8081", "c3.properties:1: confluent.controlcenter.schema.registry.url: want http://host:port or https://host:port"},
	}
	for _, tt := range tests {
		p, err := Parse(strings.NewReader(tt.in), "c3.properties")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ConfigFrom(p); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ConfigFrom(%q) error = %v, want prefix %q", tt.in, err, tt.want)
		}
	}
}
