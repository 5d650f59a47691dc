package probe_test

import (
	"os"
	"testing"
	"time"

	"github.com/kinit/kinit/supervisor/probe"
)

func TestRegisteredAt(t *testing.T) {
	real, err := os.ReadFile("testdata/kafka/broker-registration.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		want time.Time
		err  bool
	}{
		{name: "recorded from a Kafka 3.9.2 broker", data: string(real), want: time.UnixMilli(1795627089777)},
		{name: "no timestamp", data: `{"version":5}`, err: true},
		{name: "number, not string", data: `{"timestamp":17}`, err: true},
		{name: "not json", data: `broker`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := probe.RegisteredAt([]byte(tt.data))
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if !tt.err && !got.Equal(tt.want) {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}
