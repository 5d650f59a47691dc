package schemaregistry

import (
	"fmt"
	"strings"
	"time"

	"github.com/kinit/kinit/standins/internal/service"
	"github.com/kinit/kinit/standins/properties"
)

// Config is what the stand-in takes from schema-registry.properties.
type Config struct {
	Listeners     []service.Listener
	Seeds         service.Seeds
	HostName      string
	Compatibility string        // upper case, e.g. BACKWARD
	InitTimeout   time.Duration // how long to wait for the brokers at start
}

// Compatibility levels the registry accepts.
var levels = []string{"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}

func validLevel(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, l := range levels {
		if s == l {
			return s, true
		}
	}
	return "", false
}

// ConfigFrom reads the properties the stand-in honours. Defaults are the
// real product's: listener http://0.0.0.0:8081, BACKWARD, 60 s init timeout.
func ConfigFrom(p *properties.Properties) (Config, error) {
	var c Config
	def := []string{"http://0.0.0.0:8081"}
	if port := p.String("port", ""); port != "" { // the pre-"listeners" setting
		def = []string{"http://0.0.0.0:" + port}
	}
	ls, err := service.ParseListeners(p.List("listeners", def))
	if err != nil {
		return c, p.Errorf("listeners", "%v", err)
	}
	c.Listeners = ls

	if servers := p.List("kafkastore.bootstrap.servers", nil); len(servers) > 0 {
		addrs, err := service.BootstrapAddrs(servers)
		if err != nil {
			return c, p.Errorf("kafkastore.bootstrap.servers", "%v", err)
		}
		c.Seeds.Bootstrap = addrs
	} else if zk := p.String("kafkastore.connection.url", ""); zk != "" {
		c.Seeds.ZooKeeper = zk
	} else {
		return c, fmt.Errorf("%s: kafkastore.bootstrap.servers: not set (nor kafkastore.connection.url)", p.File())
	}

	c.HostName = p.String("host.name", "")

	key := "schema.compatibility.level"
	if _, ok := p.Get(key); !ok {
		key = "avro.compatibility.level"
	}
	raw := p.String(key, "backward")
	level, ok := validLevel(raw)
	if !ok {
		return c, p.Errorf(key, "unknown compatibility level %q (want one of %s)", raw, strings.Join(levels, ", "))
	}
	c.Compatibility = level

	if c.InitTimeout, err = p.Millis("kafkastore.init.timeout.ms", 60*time.Second); err != nil {
		return c, err
	}
	return c, nil
}
