package metrics

import (
	"fmt"
	"time"
)

// Node is this kinit's identity, stamped on every document.
type Node struct {
	Name     string // host.name: the node's FQDN when known
	Hostname string // host.hostname: the kernel's hostname
	Role     string
	NodeID   string
	ConfigID string
	Cluster  string
}

// Service is what the supervisor publishes about one service at sampling
// time. Pid is the root of the service's process tree (0 when not running).
type Service struct {
	ID       string // e.g. kafka-broker
	Name     string // service.name; defaults to ID
	Type     string // service.type, e.g. kafka, zookeeper
	State    string // the supervisor's state: starting, ready, backoff, …
	Pid      int
	Restarts int
	Uptime   time.Duration
	Ready    bool
}

// Action is a lifecycle event's event.action.
type Action string

const (
	ActionStarted        Action = "started"
	ActionReady          Action = "ready"
	ActionDone           Action = "done"
	ActionExited         Action = "exited"
	ActionRestarting     Action = "restarting"
	ActionFailed         Action = "failed"
	ActionStopping       Action = "stopping"
	ActionConfigRendered Action = "config-rendered"
	ActionConfigReloaded Action = "config-reloaded"
)

// Event is one lifecycle event, as the supervisor reports it.
type Event struct {
	Time        time.Time // zero means now
	Action      Action
	Service     string // service id; empty for node-wide events (config reloaded)
	ServiceName string // defaults to Service
	ServiceType string
	Pid         int
	// ExitCode and Signal describe an exit: Signal ("SIGKILL") when killed,
	// else ExitCode.
	ExitCode int
	Signal   string
	Restarts int
	Backoff  time.Duration // for restarting
	Files    []string      // for config-rendered/reloaded
	Reason   string        // free text, e.g. "probe timed out"
	Message  string        // human summary; generated when empty
}

// eventDoc turns an event into its document.
func eventDoc(n Node, e Event) *Document {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	d := &Document{
		Timestamp: e.Time.UTC(),
		ECS:       ECSFields{ecsVersion},
		Host:      HostFields{n.Name, n.Hostname},
		Event: EventFields{
			Kind:    "event",
			Action:  string(e.Action),
			Dataset: "kinit.lifecycle",
			Module:  "kinit",
			Reason:  e.Reason,
		},
		Kinit: nodeFields(n),
	}
	if e.Service != "" {
		name := e.ServiceName
		if name == "" {
			name = e.Service
		}
		d.Service = &ServiceFields{ID: e.Service, Name: name, Type: e.ServiceType}
	}
	if e.Pid > 0 {
		d.Process = &ProcessFields{Pid: e.Pid}
	}
	ke := &KinitEvent{Restarts: e.Restarts, BackoffMS: e.Backoff.Milliseconds(), Files: e.Files}
	d.Event.Category, d.Event.Type, d.Event.Outcome = []string{"process"}, []string{"change"}, "success"
	switch e.Action {
	case ActionStarted:
		d.Event.Type = []string{"start"}
	case ActionExited:
		d.Event.Type = []string{"end"}
		if e.Signal != "" {
			ke.Signal = e.Signal
			d.Event.Outcome = "failure"
		} else {
			code := e.ExitCode
			if d.Process == nil {
				d.Process = &ProcessFields{}
			}
			d.Process.ExitCode = &code
			if code != 0 {
				d.Event.Outcome = "failure"
			}
		}
	case ActionFailed:
		d.Event.Type = []string{"end"}
		d.Event.Outcome = "failure"
	case ActionRestarting, ActionStopping:
		d.Event.Outcome = "unknown"
	case ActionConfigRendered:
		d.Event.Category, d.Event.Type = []string{"configuration"}, []string{"creation"}
	case ActionConfigReloaded:
		d.Event.Category, d.Event.Type = []string{"configuration"}, []string{"change"}
	}
	if ke.BackoffMS != 0 || ke.Signal != "" || ke.Restarts != 0 || len(ke.Files) > 0 {
		d.Kinit.Event = ke
	}
	d.Message = e.Message
	if d.Message == "" {
		d.Message = eventMessage(e)
	}
	return d
}

// eventMessage names its subject, like kinit's log lines do.
func eventMessage(e Event) string {
	subject := "kinit"
	if e.Service != "" {
		subject = fmt.Sprintf("service %q", e.Service)
	}
	switch e.Action {
	case ActionExited:
		if e.Signal != "" {
			return fmt.Sprintf("%s was killed by %s", subject, e.Signal)
		}
		return fmt.Sprintf("%s exited with code %d", subject, e.ExitCode)
	case ActionRestarting:
		return fmt.Sprintf("%s restarting in %s", subject, e.Backoff)
	case ActionConfigRendered, ActionConfigReloaded:
		return fmt.Sprintf("%s %s (%d files)", subject, e.Action, len(e.Files))
	}
	if e.Reason != "" {
		return fmt.Sprintf("%s %s: %s", subject, e.Action, e.Reason)
	}
	return fmt.Sprintf("%s %s", subject, e.Action)
}

func nodeFields(n Node) KinitFields {
	return KinitFields{Role: n.Role, NodeID: n.NodeID, ConfigID: n.ConfigID, Cluster: n.Cluster}
}
