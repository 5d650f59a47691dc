package roles

import (
	"strings"
	"testing"
)

// KINIT_EXTERNAL_ADVERTISED must be host:port; every problem names it.
func TestResolveExternal(t *testing.T) {
	cfg := loadShipped(t)
	env := func(v string) Env {
		return Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "k-1.example", "KINIT_DATA_DIR": t.TempDir(), EnvExternalAdvertised: v}
	}
	n, err := Resolve(cfg, env("localhost:19092"))
	if err != nil {
		t.Fatal(err)
	}
	if !n.External.Enabled() || n.External.String() != "localhost:19092" {
		t.Errorf("external %+v", n.External)
	}
	if n, _ := Resolve(cfg, env("")); n == nil || n.External.Enabled() {
		t.Errorf("no KINIT_EXTERNAL_ADVERTISED, yet an external listener")
	}
	for v, want := range map[string]string{
		"localhost":       `KINIT_EXTERNAL_ADVERTISED: "localhost" is not host:port`,
		":19092":          `KINIT_EXTERNAL_ADVERTISED: ":19092" is not host:port`,
		"localhost:0":     `KINIT_EXTERNAL_ADVERTISED: "localhost:0": "0" is not a port`,
		"localhost:99999": `"99999" is not a port (1..65535)`,
	} {
		if _, err := Resolve(cfg, env(v)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", v, err, want)
		}
	}
	// The external port collides like any other port of the node.
	e := env("localhost:19092")
	e["KINIT_PORT_KAFKA_BROKER_EXTERNAL"] = "8081"
	if _, err := Resolve(cfg, e); err == nil || !strings.Contains(err.Error(), "port 8081 is used by both") {
		t.Errorf("external port on the registry's: %v", err)
	}
}
