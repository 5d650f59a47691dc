// Package plan is the one typed description of what kinit's supervisor
// runs: a node's services, their probes, waits, restart policies and
// signals, with the one table of defaults (defaults.go) and the one
// validation (validate.go). It is pure data: it starts nothing and imports
// only the standard library and kinit's leaf tables (signals,
// capabilities). macros builds each Service as it expands the config,
// node adds the container's environment and credentials, supervisor.New
// validates the Plan and runs it; nothing translates it again.
package plan

import "time"

// Plan is everything the supervisor needs to run one node. It is plain
// data (JSON-serialisable: plandriver and node's testdata read and write
// it) so that the code resolving a node's role never depends on the
// supervisor: the config side builds a Plan and hands it to
// supervisor.New, which validates it before anything is started.
type Plan struct {
	// Node identifies this node in the status header; it does not change
	// what is run.
	Node NodeInfo `json:"node"`
	// Services are the processes this node runs, in configuration order.
	// That order is kept in status output and breaks ties when starting.
	Services []Service `json:"services"`
	// StopTimeout bounds the whole ordered stop, from the first stop
	// signal to the last SIGKILL. Set it a few seconds below the
	// container runtime's own limit (docker stop -t, Kubernetes
	// terminationGracePeriodSeconds), see docs/supervision.md.
	// 0 means DefaultStopTimeout.
	StopTimeout time.Duration `json:"stop_timeout,omitempty"`
}

// NodeInfo is the identity of the node, shown by `kinit status`.
type NodeInfo struct {
	Role     string `json:"role"`
	ID       int    `json:"id"`
	FQDN     string `json:"fqdn"`
	Hostname string `json:"hostname"`
	ConfigID string `json:"config_id"`
	Cluster  string `json:"cluster,omitempty"`
}

// Service describes one supervised process.
type Service struct {
	// ID is the service's unique key on this node ("kafka-broker"): waits,
	// control commands and output prefixes use it.
	ID string `json:"id"`
	// Name is a human-readable name ("Kafka Broker"); defaults to ID.
	Name string `json:"name,omitempty"`
	// Argv is the command; Argv[0] is looked up in PATH when it has no
	// slash.
	Argv []string `json:"argv"`
	// Env is the complete environment ("K=V"); nil means an empty one.
	Env []string `json:"env,omitempty"`
	// Dir is the working directory; empty means kinit's own.
	Dir string `json:"dir,omitempty"`
	// UID and GID are the credentials the process runs with; nil keeps
	// kinit's. Groups are the supplementary groups (only used with UID or
	// GID set; empty clears them).
	UID    *int  `json:"uid,omitempty"`
	GID    *int  `json:"gid,omitempty"`
	Groups []int `json:"groups,omitempty"`
	// Capabilities are the only capabilities the process may hold
	// ("CAP_NET_BIND_SERVICE" or "net_bind_service"): every other one is
	// dropped from its bounding set, the listed ones are raised as
	// ambient capabilities so that a non-root UID keeps them across exec.
	// no_new_privs is always set.
	Capabilities []string `json:"capabilities,omitempty"`
	// Waits must all be satisfied before the process is started (again).
	Waits []Wait `json:"waits,omitempty"`
	// Probe decides when the running process is ready. Nil means ready as
	// soon as it has been executed.
	Probe *Probe `json:"probe,omitempty"`
	// Restart says what happens when the process exits on its own.
	Restart Restart `json:"restart"`
	// StopSignal is sent to the process group to stop it; 0 means
	// SIGTERM. In JSON it is the signal's name ("SIGTERM", "TERM", "15").
	StopSignal Signal `json:"stop_signal,omitempty"`
	// Grace is how long the process group may take to exit after the stop
	// signal before it gets SIGKILL; 0 means DefaultGrace.
	Grace time.Duration `json:"grace,omitempty"`
	// ForwardSignals lists the signals kinit passes on to the process
	// group when kinit itself receives them: only the rows of
	// internal/sigtab marked Forward (SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
	// SIGWINCH; the signals that stop kinit cannot be). Empty means none: a
	// JVM exits on SIGHUP and dies of SIGUSR1, see docs/supervision.md.
	ForwardSignals []Signal `json:"forward_signals,omitempty"`
	// Required services failing for good (restart budget exhausted, wait
	// timed out, exited under policy "never" with an error) make kinit
	// stop everything and exit 1.
	Required bool `json:"required,omitempty"`
	// RestartWith lists local services whose stop or exit also stops this
	// one; it then waits again and starts once they are ready. Without it
	// a dependency's restart leaves this service running.
	RestartWith []string `json:"restart_with,omitempty"`
	// OneShot services run to completion: exit 0 makes them done, which
	// satisfies whatever waits on them, and they are not started again
	// (nor stopped: nothing runs) until asked to. Any other end is a failed
	// run, restarted or failed by Restart as for any service. They have no
	// Probe: their exit is the signal.
	OneShot bool `json:"oneshot,omitempty"`
	// Creates lists files a one-shot service creates: when every one
	// exists before it would start, it is done without running (as
	// systemd's ConditionPathExists, Ansible's creates).
	Creates []string `json:"creates,omitempty"`
}

// Wait is one thing a service waits for before it starts. A wait names
// a service; when this node runs it the wait is Local, otherwise it probes
// the remote instances.
type Wait struct {
	// Service is the id of the service waited for (also used in status).
	Service string `json:"service"`
	// Local means the service runs on this node: the wait is satisfied
	// when the local instance is ready (pushed by the supervisor, no
	// polling). Local waits define the start and stop order.
	Local bool `json:"local,omitempty"`
	// Remote probes the instances on other nodes (one probe per member,
	// or one probe covering the cluster such as a ZooKeeper session
	// through the connect string). Ignored when Local.
	Remote []Probe `json:"remote,omitempty"`
	// MinReady is how many Remote probes must pass; 0 means all.
	MinReady int `json:"min_ready,omitempty"`
	// Timeout bounds this wait from the moment the service starts
	// waiting; 0 waits forever. A timed-out wait fails the service.
	Timeout time.Duration `json:"timeout,omitempty"`
}

// Probe configures one readiness check.
type Probe struct {
	// Kind is what is checked (ProbeTCP, ProbeKafka, ...).
	Kind ProbeKind `json:"kind"`
	// Address is host:port: the port that must accept (tcp) or the
	// ZooKeeper server to ask (zookeeper).
	Address string `json:"address,omitempty"`
	// URLs are fetched with GET by the http probe, in order; it passes
	// when each answers 2xx.
	URLs []string `json:"urls,omitempty"`
	// Command must exit 0 for the exec probe.
	Command []string `json:"command,omitempty"`
	// ZKConnect is a ZooKeeper connect string ("h1:2181,h2:2181/chroot").
	// zookeeper without Address: a session through it must read "/"
	// (a quorum is serving). kafka in ZooKeeper mode: where brokers
	// register.
	ZKConnect string `json:"zk_connect,omitempty"`
	// BrokerID, when set, must be registered (kafka).
	BrokerID *int `json:"broker_id,omitempty"`
	// MinBrokers is how many brokers must be registered (kafka); 0 means
	// 1 when BrokerID is nil.
	MinBrokers int `json:"min_brokers,omitempty"`
	// Mode is what a kafka probe asks and of whom (kinds.go); empty means
	// KafkaZK.
	Mode KafkaMode `json:"mode,omitempty"`
	// Bootstrap are the servers the KRaft modes ask.
	Bootstrap []string `json:"bootstrap,omitempty"`
	// Security is how the probe authenticates (TLS, SASL) to a kafka
	// server or an https URL; nil speaks plaintext. On a zookeeper probe,
	// and on a kafka probe in ZooKeeper mode (KafkaZK, KafkaUnregistered),
	// it is the ZooKeeper connection's: TLS only (mutual TLS with a client
	// certificate, ZooKeeper's secureClientPort), never SASL.
	Security *Security `json:"security,omitempty"`
	// Interval is the longest pause between attempts; attempts start
	// a few milliseconds apart and double up to it. 0 means
	// DefaultProbeInterval.
	Interval time.Duration `json:"interval,omitempty"`
	// Timeout bounds one attempt; 0 means DefaultProbeTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Trigger, a regular expression, makes the readiness probe attempt at
	// once when a line of the service's output matches it while the
	// service starts (the broker's "started" line): no wait for the next
	// attempt. The probe still decides; a line alone makes nothing ready.
	Trigger string `json:"trigger,omitempty"`
	// Notify gives the service a NOTIFY_SOCKET (the sd_notify protocol):
	// READY=1 sent to it runs the probe at once, as a Trigger line does.
	Notify bool `json:"notify,omitempty"`
	// StartTimeout bounds how long a started process may take to become
	// ready; past it the process is stopped and counted as a failed run.
	// 0 means no limit. Not used for remote waits (see Wait.Timeout).
	StartTimeout time.Duration `json:"start_timeout,omitempty"`
	// CheckInterval, when above 0, keeps probing a ready service that
	// often, so that a wedged process stops counting as ready.
	// 0 means no checks after ready.
	CheckInterval time.Duration `json:"check_interval,omitempty"`
	// FailureThreshold is how many checks in a row must fail before the
	// service is unhealthy; 0 means DefaultFailureThreshold.
	FailureThreshold int `json:"failure_threshold,omitempty"`
	// OnUnhealthy is what an unhealthy service gets: OnUnhealthyNone
	// ("", shown as not ready) or OnUnhealthyRestart (stopped and counted
	// as a failed run against its budget).
	OnUnhealthy OnUnhealthy `json:"on_unhealthy,omitempty"`
}

// Restart is a service's restart policy.
type Restart struct {
	// Policy is PolicyAlways, PolicyOnFailure or PolicyNever; empty means
	// DefaultPolicy.
	Policy Policy `json:"policy,omitempty"`
	// BackoffMin is the delay before the first restart; each consecutive
	// failure doubles it up to BackoffMax. A random 0-20 % is taken off
	// (jitter). 0 means DefaultBackoffMin / DefaultBackoffMax.
	BackoffMin time.Duration `json:"backoff_min,omitempty"`
	BackoffMax time.Duration `json:"backoff_max,omitempty"`
	// ResetAfter is how long a process must stay ready to count as
	// stable: the failure count and the delay start over. Time spent
	// starting does not count, so a process that never gets ready uses up
	// its budget however long its start timeout. 0 means DefaultResetAfter.
	ResetAfter time.Duration `json:"reset_after,omitempty"`
	// Budget is how many consecutive restarts without a stable run are
	// allowed before the service fails for good; 0 means no limit (the
	// meaning of `budget` in kinit.toml, which supplies the default).
	Budget int `json:"budget,omitempty"`
}
