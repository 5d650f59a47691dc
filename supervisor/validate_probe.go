// Checks of one probe (kind, address, URL, command) and of a signal name.

package supervisor

import (
	"errors"
	"fmt"
	"github.com/kinit/kinit/supervisor/probe"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/internal/sigtab"
)

func checkProbe(p ProbeSpec) error {
	if p.Interval < 0 || p.Timeout < 0 || p.StartTimeout < 0 || p.CheckInterval < 0 {
		return errors.New("durations must not be negative")
	}
	if p.FailureThreshold < 0 {
		return fmt.Errorf("failure threshold %d is negative", p.FailureThreshold)
	}
	if p.OnUnhealthy != OnUnhealthyNone && p.OnUnhealthy != OnUnhealthyRestart {
		return fmt.Errorf("on_unhealthy %q: want %q or nothing", p.OnUnhealthy, OnUnhealthyRestart)
	}
	switch p.Kind {
	case ProbeTCP:
		if _, _, err := splitHostPort(p.Address); err != nil {
			return fmt.Errorf("tcp: %w", err)
		}
	case ProbeZooKeeper:
		if p.Address == "" && p.ZKConnect == "" {
			return errors.New("zookeeper: needs address or zk_connect")
		}
		if p.Address != "" {
			if _, _, err := splitHostPort(p.Address); err != nil {
				return fmt.Errorf("zookeeper: %w", err)
			}
		}
	case ProbeKafka:
		if (p.KRaft || p.Quorum) && len(p.Bootstrap) == 0 {
			return errors.New("kafka: kraft needs bootstrap servers")
		}
		if !p.KRaft && !p.Quorum && p.ZKConnect == "" {
			return errors.New("kafka: needs zk_connect (or kraft with bootstrap)")
		}
		if p.MinBrokers < 0 {
			return errors.New("kafka: min_brokers is negative")
		}
		if p.Unregistered && (p.KRaft || p.Quorum || p.BrokerID == nil) {
			return errors.New("kafka: unregistered needs a broker id in ZooKeeper mode")
		}
	case ProbeHTTP:
		if len(p.URLs) == 0 {
			return errors.New("http: no url")
		}
		for _, raw := range p.URLs {
			if err := probe.CheckURL(raw); err != nil {
				return fmt.Errorf("http: %w", err)
			}
		}
	case ProbeExec:
		if len(p.Command) == 0 || p.Command[0] == "" {
			return errors.New("exec: no command")
		}
	default:
		return fmt.Errorf("unknown kind %q (want tcp, zookeeper, kafka, http or exec)", p.Kind)
	}
	return nil
}

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

// parseSignal accepts "SIGTERM", "TERM" or "15" (rows of internal/sigtab).
func parseSignal(s string) (unix.Signal, error) {
	sig, err := sigtab.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("unknown stop signal %q", s)
	}
	return sig.Num, nil
}
