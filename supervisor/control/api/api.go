// Package api is the JSON the control socket speaks: what the server
// writes and the client reads, defined once. The field names are a public
// contract (docs/supervision.md): add fields, never rename or remove them.
// The supervisor's own types may change freely; the server maps them here.
package api

import "time"

// Status is GET /v1/status.
type Status struct {
	Node     Node      `json:"node"`
	Kinit    Kinit     `json:"kinit"`
	Ready    bool      `json:"ready"`
	Services []Service `json:"services"`
	Sections []Section `json:"sections"`
}

// Node is the status header.
type Node struct {
	Role     string `json:"role"`
	ID       int    `json:"id"`
	FQDN     string `json:"fqdn"`
	Hostname string `json:"hostname"`
	ConfigID string `json:"config_id"`
	Cluster  string `json:"cluster"`
}

// Kinit is the supervisor process itself.
type Kinit struct {
	Pid           int       `json:"pid"`
	StartedAt     time.Time `json:"started_at"`
	UptimeSeconds float64   `json:"uptime_seconds"`
	Phase         string    `json:"phase"`
	OutputDropped uint64    `json:"output_dropped"`
}

// Service is one row of the status table.
type Service struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	State         string     `json:"state"`
	Since         time.Time  `json:"since"`
	Required      bool       `json:"required"`
	Pid           int        `json:"pid"`
	StartedAt     *time.Time `json:"started_at,omitempty"`
	UptimeSeconds float64    `json:"uptime_seconds"`
	Ready         bool       `json:"ready"`
	ReadyAt       *time.Time `json:"ready_at,omitempty"`
	Unhealthy     *Unhealthy `json:"unhealthy"`
	Restarts      int        `json:"restarts"`
	Failures      int        `json:"failures"`
	WaitingOn     string     `json:"waiting_on"`
	Waits         []Wait     `json:"waits"`
	LastExit      *Exit      `json:"last_exit"`
	NextStart     *time.Time `json:"next_start,omitempty"`
	Message       string     `json:"message"`
	// Note is what kinit reads about the service besides supervising it:
	// a broker's "URP 0, offline 0, active controller" when metrics
	// shipping reads its JVM.
	Note string `json:"note,omitempty"`
}

// Unhealthy is set while a ready service fails its checks.
type Unhealthy struct {
	Since    time.Time `json:"since"`
	Reason   string    `json:"reason"`
	Failures int       `json:"failures"`
}

// Wait is one wait of a waiting service.
type Wait struct {
	Service   string    `json:"service"`
	Local     bool      `json:"local"`
	Satisfied bool      `json:"satisfied"`
	Since     time.Time `json:"since"`
	Attempts  int       `json:"attempts"`
	Detail    string    `json:"detail"`
}

// Exit is how a service's last process ended.
type Exit struct {
	At       time.Time `json:"at"`
	Pid      int       `json:"pid"`
	Code     int       `json:"code"`
	Signal   string    `json:"signal"`
	Expected bool      `json:"expected"`
	Clean    bool      `json:"clean"`
	Text     string    `json:"text"`
}

// Section is an extra status block (e.g. the metrics shipper).
type Section struct {
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

// Health is GET /v1/health.
type Health struct {
	Ready    bool     `json:"ready"` // every required service ready now
	NotReady []string `json:"not_ready"`
	Live     bool     `json:"live"` // nothing failed for good
	Failed   []string `json:"failed"`
	Phase    string   `json:"phase"`
}

// Action is the answer to an accepted request (start, stop, restart, signal).
type Action struct {
	Service string `json:"service"`
	Action  string `json:"action"`
	Result  string `json:"result"`
}

// Problem is the body of every answer that is not 2xx.
type Problem struct {
	Error string `json:"error"`
}

// The two streaming endpoints answer NDJSON (Content-Type
// application/x-ndjson): one JSON object per line, flushed as it is
// written. A stream ends when kinit stops, when the client goes away, or
// when the client reads too slowly (kinit drops it rather than wait or
// buffer without bound); a client that wants more reconnects.

// LogLine is one line of GET /v1/logs: one line of a service's output, as
// kept in kinit's ring for that service.
//
//	{"time":"2026-12-07T02:03:04.5Z","service":"zookeeper","stream":"stdout","line":"..."}
type LogLine struct {
	Time    time.Time `json:"time"`
	Service string    `json:"service"`
	Stream  string    `json:"stream"` // "stdout" or "stderr"
	Line    string    `json:"line"`
}

// Message is one line of GET /v1/events. Exactly one field is set: Status
// is the whole node status (the same object as GET /v1/status), sent on
// connect and after every change of the supervisor's state (bursts
// coalesced, at most about ten a second); Event is one lifecycle event as
// it happens.
//
//	{"status":{"node":{...},"kinit":{...},"ready":false,"services":[...],"sections":[...]}}
//	{"event":{"time":"...","service":"kafka-broker","kind":"exited","pid":42,"exit_code":137,"signal":"SIGKILL","restarts":1}}
type Message struct {
	Status *Status `json:"status,omitempty"`
	Event  *Event  `json:"event,omitempty"`
}

// Event is a lifecycle event. Kind is one of waiting, started, ready,
// exited, restarting, failed, stopping, stopped, killed, unhealthy,
// healthy, done.
type Event struct {
	Time           time.Time `json:"time"`
	Service        string    `json:"service"`
	Kind           string    `json:"kind"`
	Pid            int       `json:"pid,omitempty"`
	ExitCode       int       `json:"exit_code"`                 // exited: code, or 128+signal
	Signal         string    `json:"signal,omitempty"`          // exited: the signal that ended it
	Clean          bool      `json:"clean,omitempty"`           // exited: an expected, clean end
	BackoffSeconds float64   `json:"backoff_seconds,omitempty"` // restarting: the delay
	Restarts       int       `json:"restarts"`
	Message        string    `json:"message,omitempty"`
}
