// Checks of one probe (kind, address, URL, command).

package plan

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// validate checks one probe (defaults applied) found at path.
func (p Probe) validate(at string, e *errs) {
	if p.Interval < 0 || p.Timeout < 0 || p.StartTimeout < 0 || p.CheckInterval < 0 {
		e.add(at, "durations must not be negative")
	}
	if p.FailureThreshold < 0 {
		e.add(at+".failure_threshold", "failure threshold %d is negative", p.FailureThreshold)
	}
	if _, err := ParseOnUnhealthy(string(p.OnUnhealthy)); err != nil {
		e.add(at+".on_unhealthy", "%v", err)
	}
	p.Security.validate(at+".security", e)
	switch {
	case p.Security == nil:
	case p.Kind == ProbeZooKeeper || (p.Kind == ProbeKafka && p.asksZooKeeper()):
		// go-zookeeper speaks no SASL, and ZooKeeper's TLS port
		// authenticates clients by their certificate.
		if p.Security.SASL != nil {
			e.add(at+".security.sasl", "%s: ZooKeeper connections take TLS only, not SASL", p.Kind)
		}
	case p.Kind != ProbeKafka && p.Kind != ProbeHTTP:
		e.add(at+".security", "%s: only kafka, zookeeper and http probes authenticate", p.Kind)
	}
	switch p.Kind {
	case ProbeTCP:
		if _, _, err := splitHostPort(p.Address); err != nil {
			e.add(at+".address", "tcp: %v", err)
		}
	case ProbeZooKeeper:
		if p.Address == "" && p.ZKConnect == "" {
			e.add(at, "zookeeper: needs address or zk_connect")
		}
		if p.Address != "" {
			if _, _, err := splitHostPort(p.Address); err != nil {
				e.add(at+".address", "zookeeper: %v", err)
			}
		}
	case ProbeKafka:
		p.validateKafka(at, e)
	case ProbeHTTP:
		if len(p.URLs) == 0 {
			e.add(at+".urls", "http: no url")
		}
		for _, raw := range p.URLs {
			if err := CheckURL(raw); err != nil {
				e.add(at+".urls", "http: %v", err)
			}
		}
	case ProbeExec:
		if len(p.Command) == 0 || p.Command[0] == "" {
			e.add(at+".command", "exec: no command")
		}
	default:
		if _, err := ParseProbeKind(string(p.Kind)); err != nil {
			e.add(at+".kind", "%v", err)
		}
	}
}

func (p Probe) validateKafka(at string, e *errs) {
	if p.MinBrokers < 0 {
		e.add(at+".min_brokers", "kafka: min_brokers is negative")
	}
	switch p.Mode {
	case KafkaZK:
		if p.ZKConnect == "" {
			e.add(at+".zk_connect", "kafka: needs zk_connect (or kraft with bootstrap)")
		}
	case KafkaUnregistered:
		if p.ZKConnect == "" {
			e.add(at+".zk_connect", "kafka: needs zk_connect (or kraft with bootstrap)")
		}
		if p.BrokerID == nil {
			e.add(at+".broker_id", "kafka: unregistered needs a broker id in ZooKeeper mode")
		}
	case KafkaKRaft, KafkaQuorum, KafkaCombined:
		if len(p.Bootstrap) == 0 {
			e.add(at+".bootstrap", "kafka: kraft needs bootstrap servers")
		}
	default:
		e.add(at+".mode", "kafka: unknown mode %q (want zookeeper, unregistered, kraft, quorum or combined)", p.Mode)
	}
}

// OpensZooKeeperSession: every attempt of this probe opens a ZooKeeper
// session (a kafka probe in a ZooKeeper mode reads the registrations
// through one), which the server logs and must set up and expire.
func (p Probe) OpensZooKeeperSession() bool {
	return p.Kind == ProbeKafka && p.asksZooKeeper()
}

// asksZooKeeper: a kafka probe of this mode reads the brokers'
// registrations in ZooKeeper, so its Security is that connection's.
func (p Probe) asksZooKeeper() bool {
	return p.Mode == KafkaZK || p.Mode == "" || p.Mode == KafkaUnregistered
}

// splitHostPort reads host:port with a port in 1..65535.
func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i <= 0 {
		return "", 0, fmt.Errorf("address %q is not host:port", addr)
	}
	port, err := strconv.Atoi(addr[i+1:])
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("address %q has no valid port", addr)
	}
	return addr[:i], port, nil
}

// CheckURL is the rule for a probe URL: http or https with a host. The
// config loader applies it at the URL's line, Validate again.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("bad url %q (want http:// or https:// and a host)", raw)
	}
	return nil
}
