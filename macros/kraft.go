// KRaft macros: the controller quorum from the member list, the cluster
// id, and each KRaft service's process roles and listeners.

package macros

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kinit/kinit/roles"
)

// The controller listener's name in kinit's KRaft macros; the broker
// listener is named after its protocol (brokerProtocol).
const controllerListener = "CONTROLLER"

// listenerProtocols are the security protocols of the broker (client and
// inter-broker) listener and of the controller listener under a mode.
func listenerProtocols(sec roles.Security) (broker, controller string) {
	if sec.Secure() {
		return "SASL_SSL", "SSL"
	}
	return "PLAINTEXT", "PLAINTEXT"
}

// quorum lists the controllers: the members of the config's
// kraft-controller service on its port, else those of its kafka service
// on ports.controller (combined nodes).
func quorum(n *roles.Node) (members []roles.Member, port func(roles.Member) int, why string) {
	if ms, s, ok := n.MembersOfKind(roles.KindKRaftController); ok {
		p := n.Port(s.ID, "")
		return ms, func(roles.Member) int { return p }, ""
	}
	ms, s, ok := n.MembersOfKind("kafka")
	if !ok {
		return nil, nil, fmt.Sprintf("config %q runs no service of kind kafka or %s", n.ConfigID, roles.KindKRaftController)
	}
	p := n.Port(s.ID, "controller")
	if p == 0 {
		return nil, nil, fmt.Sprintf("service %s has no \"controller\" port and config %q runs no %s (ZooKeeper mode)", s.ID, n.ConfigID, roles.KindKRaftController)
	}
	return ms, func(roles.Member) int { return p }, ""
}

// quorumScope sets the node-wide KRaft macros.
func (b *builder) quorumScope(sc *scope) {
	n := b.node
	members, port, why := quorum(n)
	if members == nil {
		for _, name := range []string{"CONTROLLER_QUORUM_VOTERS", "CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", "CLUSTER_ID"} {
			sc.missing(name, why)
		}
		return
	}
	var voters, servers []string
	for _, m := range members {
		hp := hostPort(m.Host, port(m))
		voters = append(voters, strconv.Itoa(m.ID)+"@"+hp)
		servers = append(servers, hp)
	}
	sc.set("CONTROLLER_QUORUM_VOTERS", strings.Join(voters, ","))
	sc.set("CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", strings.Join(servers, ","))
	if n.ClusterID != "" {
		sc.set("CLUSTER_ID", n.ClusterID)
	} else {
		sc.missing("CLUSTER_ID", "the node has no cluster id")
	}
}

// externalListener is the name of the listener for clients outside the
// container network (roles.External).
const externalListener = "EXTERNAL"

// listenerScope sets a Kafka service's listeners. A broker listens and
// advertises on its port with the node's security (PLAINTEXT or SASL_SSL,
// the listener named after its protocol as Kafka's defaults name them);
// with an external listener it also listens on ports.external and
// advertises the external address there, with the same security. A KRaft
// controller listens on its port and advertises nothing to clients; a
// combined node does both, with the controller on ports.controller.
func (b *builder) listenerScope(sc *scope, s *roles.Service) {
	n := b.node
	names := []string{"PROCESS_ROLES", "LISTENERS", "ADVERTISED_LISTENERS", "LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER_LISTENER_NAMES", "INTER_BROKER_LISTENER_NAME"}
	kraft := n.IsKRaft(s)
	if s.Kind != "kafka" && !kraft {
		for _, name := range names {
			sc.missing(name, "service "+s.ID+" is not a Kafka service")
		}
		return
	}
	host := n.Vars["LISTEN_HOST"]
	if host == "" {
		host = "0.0.0.0"
	}
	listen := func(name string, port int) string { return name + "://" + hostPort(host, port) }
	main := n.Port(s.ID, "")
	brokerListener, controllerProto := listenerProtocols(n.Security)
	listeners := []string{listen(brokerListener, main)}
	advertised := []string{brokerListener + "://" + hostPort(n.FQDN, main)}
	protocols := []string{brokerListener + ":" + brokerListener}
	if n.External.Enabled() {
		listeners = append(listeners, listen(externalListener, n.Port(s.ID, roles.ExternalPortName)))
		advertised = append(advertised, externalListener+"://"+n.External.String())
		protocols = append(protocols, externalListener+":"+brokerListener)
	}
	sc.set("INTER_BROKER_LISTENER_NAME", brokerListener)
	if !kraft {
		why := "service " + s.ID + " runs with ZooKeeper, not KRaft"
		sc.missing("PROCESS_ROLES", why)
		sc.missing("CONTROLLER_LISTENER_NAMES", why)
		sc.set("LISTENERS", strings.Join(listeners, ","))
		sc.set("ADVERTISED_LISTENERS", strings.Join(advertised, ","))
		sc.set("LISTENER_SECURITY_PROTOCOL_MAP", strings.Join(protocols, ","))
		return
	}
	sc.set("CONTROLLER_LISTENER_NAMES", controllerListener)
	protocols = append(protocols, controllerListener+":"+controllerProto)
	switch {
	case s.Kind == roles.KindKRaftController:
		sc.set("PROCESS_ROLES", "controller")
		sc.set("LISTENERS", listen(controllerListener, main))
		sc.missing("ADVERTISED_LISTENERS", "a controller-only node advertises no listener to clients")
		sc.set("LISTENER_SECURITY_PROTOCOL_MAP", controllerListener+":"+controllerProto)
		return
	case roles.Combined(n, s):
		sc.set("PROCESS_ROLES", "broker,controller")
		listeners = append(listeners, listen(controllerListener, n.Port(s.ID, "controller")))
	default:
		sc.set("PROCESS_ROLES", "broker")
	}
	sc.set("LISTENERS", strings.Join(listeners, ","))
	sc.set("ADVERTISED_LISTENERS", strings.Join(advertised, ","))
	sc.set("LISTENER_SECURITY_PROTOCOL_MAP", strings.Join(protocols, ","))
}
