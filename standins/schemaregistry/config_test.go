package schemaregistry

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/standins/internal/service"
	"github.com/kinit/kinit/standins/properties"
)

func TestConfigFrom(t *testing.T) {
	tests := []struct {
		file string
		want Config
	}{
		{"testdata/full.properties", Config{
			Listeners: []service.Listener{
				{URL: "http://0.0.0.0:8081", Addr: "0.0.0.0:8081"},
				{URL: "http://127.0.0.1:18081", Addr: "127.0.0.1:18081"},
			},
			Seeds:         service.Seeds{Bootstrap: []string{"kafka-1.example:9092", "kafka-2.example:9092"}},
			HostName:      "schemareg-1.example",
			Compatibility: "FULL_TRANSITIVE",
			InitTimeout:   1500 * time.Millisecond,
		}},
		{"testdata/minimal.properties", Config{
			Listeners:     []service.Listener{{URL: "http://0.0.0.0:8081", Addr: "0.0.0.0:8081"}},
			Seeds:         service.Seeds{Bootstrap: []string{"localhost:9092"}},
			Compatibility: "BACKWARD",
			InitTimeout:   60 * time.Second,
		}},
		{"testdata/zookeeper.properties", Config{
			Listeners:     []service.Listener{{URL: "http://0.0.0.0:18081", Addr: "0.0.0.0:18081"}},
			Seeds:         service.Seeds{ZooKeeper: "zk-1:2181,zk-2:2181/kafka"},
			Compatibility: "NONE",
			InitTimeout:   60 * time.Second,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := properties.Load(tt.file)
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
		{"listeners=https://0.0.0.0:8081\nkafkastore.bootstrap.servers=b:9092", "sr.properties:1: listeners: listener \"https://0.0.0.0:8081\": only http"},
		{"listeners=http://nohost\nkafkastore.bootstrap.servers=b:9092", "sr.properties:1: listeners: "},
		{"host.name=x", "sr.properties: kafkastore.bootstrap.servers: not set"},
		{"\nkafkastore.bootstrap.servers=SASL_SSL://b:9093", "sr.properties:2: kafkastore.bootstrap.servers: bootstrap server \"SASL_SSL://b:9093\": only PLAINTEXT"},
		{"kafkastore.bootstrap.servers=b", "sr.properties:1: kafkastore.bootstrap.servers: bootstrap server \"b\": want host:port"},
		{"kafkastore.bootstrap.servers=b:9092\nschema.compatibility.level=sideways", "sr.properties:2: schema.compatibility.level: unknown compatibility level \"sideways\""},
		{"kafkastore.bootstrap.servers=b:9092\nkafkastore.init.timeout.ms=soon", "sr.properties:2: kafkastore.init.timeout.ms: "},
	}
	for _, tt := range tests {
		p, err := properties.Parse(strings.NewReader(tt.in), "sr.properties")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ConfigFrom(p)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ConfigFrom(%q) error = %v, want prefix %q", tt.in, err, tt.want)
		}
	}
}
