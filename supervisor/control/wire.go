package control

import (
	"time"

	"github.com/kinit/kinit/supervisor"
)

// The wire types below are the JSON the socket serves. Their field names
// are a public contract (docs/supervision.md): add fields, never rename or
// remove them. They are kept apart from the supervisor's own types (which
// may change freely) and from the client's (which may lag behind).

type statusJSON struct {
	Node     nodeJSON      `json:"node"`
	Kinit    kinitJSON     `json:"kinit"`
	Ready    bool          `json:"ready"`
	Services []serviceJSON `json:"services"`
	Sections []sectionJSON `json:"sections"`
}

type nodeJSON struct {
	Role     string `json:"role"`
	ID       int    `json:"id"`
	FQDN     string `json:"fqdn"`
	Hostname string `json:"hostname"`
	ConfigID string `json:"config_id"`
	Cluster  string `json:"cluster"`
}

type kinitJSON struct {
	Pid           int       `json:"pid"`
	StartedAt     time.Time `json:"started_at"`
	UptimeSeconds float64   `json:"uptime_seconds"`
	Phase         string    `json:"phase"`
	OutputDropped uint64    `json:"output_dropped"`
}

type serviceJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	State         string         `json:"state"`
	Since         time.Time      `json:"since"`
	Required      bool           `json:"required"`
	Pid           int            `json:"pid"`
	StartedAt     *time.Time     `json:"started_at,omitempty"`
	UptimeSeconds float64        `json:"uptime_seconds"`
	Ready         bool           `json:"ready"`
	ReadyAt       *time.Time     `json:"ready_at,omitempty"`
	Unhealthy     *unhealthyJSON `json:"unhealthy"`
	Restarts      int            `json:"restarts"`
	Failures      int            `json:"failures"`
	WaitingOn     string         `json:"waiting_on"`
	Waits         []waitJSON     `json:"waits"`
	LastExit      *exitJSON      `json:"last_exit"`
	NextStart     *time.Time     `json:"next_start,omitempty"`
	Message       string         `json:"message"`
}

type unhealthyJSON struct {
	Since    time.Time `json:"since"`
	Reason   string    `json:"reason"`
	Failures int       `json:"failures"`
}

type waitJSON struct {
	Service   string    `json:"service"`
	Local     bool      `json:"local"`
	Satisfied bool      `json:"satisfied"`
	Since     time.Time `json:"since"`
	Attempts  int       `json:"attempts"`
	Detail    string    `json:"detail"`
}

type exitJSON struct {
	At       time.Time `json:"at"`
	Pid      int       `json:"pid"`
	Code     int       `json:"code"`
	Signal   string    `json:"signal"`
	Expected bool      `json:"expected"`
	Clean    bool      `json:"clean"`
	Text     string    `json:"text"`
}

type sectionJSON struct {
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

// healthJSON: ready is every required service ready now (readiness);
// live is kinit answering with nothing failed for good (liveness).
type healthJSON struct {
	Ready    bool     `json:"ready"`
	NotReady []string `json:"not_ready"`
	Live     bool     `json:"live"`
	Failed   []string `json:"failed"`
	Phase    string   `json:"phase"`
}

type actionJSON struct {
	Service string `json:"service"`
	Action  string `json:"action"`
	Result  string `json:"result"`
}

type errorJSON struct {
	Error string `json:"error"`
}

func toHealth(sn supervisor.Snapshot) healthJSON {
	h := healthJSON{Ready: sn.Phase != supervisor.PhaseStopping && sn.Phase != supervisor.PhaseStopped,
		NotReady: []string{}, Live: true, Failed: []string{}, Phase: string(sn.Phase)}
	// A role without a required service (a schema registry node) would
	// otherwise be ready while nothing is: then every service counts.
	anyRequired := false
	for _, st := range sn.Services {
		anyRequired = anyRequired || st.Required
	}
	for _, st := range sn.Services {
		if (st.Required || !anyRequired) && !st.Ready {
			h.Ready = false
			h.NotReady = append(h.NotReady, st.ID)
		}
		if st.State == supervisor.StateFailed {
			h.Live = false
			h.Failed = append(h.Failed, st.ID)
		}
	}
	return h
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func toWire(sn supervisor.Snapshot, now time.Time) statusJSON {
	out := statusJSON{
		Node: nodeJSON{
			Role: sn.Node.Role, ID: sn.Node.ID, FQDN: sn.Node.FQDN, Hostname: sn.Node.Hostname,
			ConfigID: sn.Node.ConfigID, Cluster: sn.Node.Cluster,
		},
		Kinit: kinitJSON{
			Pid: sn.Pid, StartedAt: sn.StartedAt.UTC(), Phase: string(sn.Phase), OutputDropped: sn.OutputDropped,
			UptimeSeconds: now.Sub(sn.StartedAt).Seconds(),
		},
		Ready:    sn.AllReady(),
		Services: []serviceJSON{},
		Sections: []sectionJSON{},
	}
	for _, st := range sn.Services {
		s := serviceJSON{
			ID: st.ID, Name: st.Name, State: string(st.State), Since: st.Since.UTC(), Required: st.Required,
			Pid: st.Pid, StartedAt: timePtr(st.Started), UptimeSeconds: st.Uptime.Seconds(), Ready: st.Ready,
			ReadyAt: timePtr(st.ReadyAt), Restarts: st.Restarts, Failures: st.Failures, WaitingOn: st.WaitingOn,
			Waits: []waitJSON{}, NextStart: timePtr(st.NextStart), Message: st.Message,
		}
		for _, w := range st.Waits {
			s.Waits = append(s.Waits, waitJSON{
				Service: w.Service, Local: w.Local, Satisfied: w.Satisfied, Since: w.Since.UTC(),
				Attempts: w.Attempts, Detail: w.Detail,
			})
		}
		if u := st.Unhealthy; u != nil {
			s.Unhealthy = &unhealthyJSON{Since: u.Since.UTC(), Reason: u.Reason, Failures: u.Failures}
		}
		if le := st.LastExit; le != nil {
			s.LastExit = &exitJSON{
				At: le.At.UTC(), Pid: le.Pid, Code: le.Code, Signal: le.Signal, Expected: le.Expected,
				Clean: le.Clean, Text: le.Text,
			}
		}
		out.Services = append(out.Services, s)
	}
	for _, sec := range sn.Sections {
		f := sec.Fields
		if f == nil {
			f = map[string]string{}
		}
		out.Sections = append(out.Sections, sectionJSON{Name: sec.Name, Fields: f})
	}
	return out
}
