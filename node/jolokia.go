// The Jolokia agent kinit attaches to the JVMs it starts when metrics
// shipping is on (docs/metrics.md): which services get it, on which port,
// and the option that attaches it. SupervisorPlan (start and reload) and
// the metrics collector both ask agentPlan, so a JVM is read exactly when
// it carries the agent.

package node

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/metrics"
	"github.com/kinit/kinit/roles"
)

// agentEnv is the variable the agent's option is appended to: Kafka's
// launchers (kafka-run-class) pass it to every JVM they start.
const agentEnv = "KAFKA_OPTS"

// agents is which services carry the agent, by id, on which port.
type agents struct {
	jar, policy string
	ports       map[string]int
	note        string // why no JVM carries it although metrics are on
}

// agentPlan: with metrics shipping on (KINIT_ES_URLS in env), every JVM
// service with a jolokia port gets the agent, if its jar is there; a
// missing jar leaves the JVMs without it (and says so) rather than keeping
// them from starting.
func agentPlan(r *macros.Rendering, env []string) agents {
	a := agents{jar: r.Macros["JOLOKIA_AGENT"], policy: r.Macros["JOLOKIA_POLICY"], ports: map[string]int{}}
	if lookupEnv(env, "KINIT_ES_URLS") == "" || a.jar == "" {
		return a
	}
	want := map[string]int{}
	for _, s := range r.Services {
		if p := s.Ports[roles.AgentPortName]; p != 0 && metrics.JVMKind(s.Kind) {
			want[s.ID] = p
		}
	}
	if len(want) == 0 {
		return a
	}
	for _, f := range []struct{ what, path string }{{"agent jar", a.jar}, {"access policy", a.policy}} {
		if st, err := os.Stat(f.path); err != nil || !st.Mode().IsRegular() {
			a.note = fmt.Sprintf("metrics: no Jolokia %s at %s (KINIT_JOLOKIA_AGENT, KINIT_JOLOKIA_POLICY): the JVMs run without it and ship no Kafka metrics", f.what, f.path)
			return a
		}
	}
	a.ports = want
	return a
}

// option is the JVM option that attaches the agent on port.
func (a agents) option(port int) string { return JolokiaOption(a.jar, a.policy, port) }

// JolokiaOption is the JVM option that attaches the agent jar on
// 127.0.0.1:port with the access policy at policy, without multicast
// discovery.
func JolokiaOption(jar, policy string, port int) string {
	return "-javaagent:" + jar + "=host=127.0.0.1,port=" + strconv.Itoa(port) +
		",policyLocation=file:" + policy + ",discoveryEnabled=false"
}

// attach appends the agent's option to a service's environment, after
// whatever KAFKA_OPTS it already has (the config's, or an operator's -e).
func (a agents) attach(id string, env []string) []string {
	port, ok := a.ports[id]
	if !ok {
		return env
	}
	return appendOpt(env, agentEnv, a.option(port))
}

// appendOpt appends a JVM option to the variable key of env, after what
// it already holds.
func appendOpt(env []string, key, opt string) []string {
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			env[i] = key + "=" + strings.TrimSpace(v+" "+opt)
			return env
		}
	}
	return append(env, key+"="+opt)
}

func lookupEnv(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// brokerIDs are the Kafka ids of the node's Kafka services, from their
// rendered properties (node.id in KRaft mode, broker.id with ZooKeeper).
func brokerIDs(r *macros.Rendering) map[string]int32 {
	out := map[string]int32{}
	for _, s := range r.Services {
		if s.Kind != "kafka" && s.Kind != "kraft-controller" {
			continue
		}
		for _, f := range r.Files {
			if f.Service != s.ID || !strings.HasSuffix(f.Dst, ".properties") {
				continue
			}
			for _, key := range []string{"node.id", "broker.id"} {
				if v, _, ok := javaprops.Get(string(f.Content), key); ok {
					if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err == nil {
						out[s.ID] = int32(n)
						break
					}
				}
			}
		}
	}
	return out
}
