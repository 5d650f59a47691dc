package control

import (
	"time"

	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control/api"
)

// The server's side of the JSON schema (package api): the supervisor's
// snapshot mapped onto it.

func toHealth(sn supervisor.Snapshot) api.Health {
	h := api.Health{Ready: sn.Phase != supervisor.PhaseStopping && sn.Phase != supervisor.PhaseStopped,
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

func toWire(sn supervisor.Snapshot, now time.Time) api.Status {
	out := api.Status{
		Node: api.Node{
			Role: sn.Node.Role, ID: sn.Node.ID, FQDN: sn.Node.FQDN, Hostname: sn.Node.Hostname,
			ConfigID: sn.Node.ConfigID, Cluster: sn.Node.Cluster,
		},
		Kinit: api.Kinit{
			Pid: sn.Pid, StartedAt: sn.StartedAt.UTC(), Phase: string(sn.Phase), OutputDropped: sn.OutputDropped,
			UptimeSeconds: now.Sub(sn.StartedAt).Seconds(),
		},
		Ready:    sn.AllReady(),
		Services: []api.Service{},
		Sections: []api.Section{},
	}
	for _, st := range sn.Services {
		s := api.Service{
			ID: st.ID, Name: st.Name, State: string(st.State), Since: st.Since.UTC(), Required: st.Required,
			Pid: st.Pid, StartedAt: timePtr(st.Started), UptimeSeconds: st.Uptime.Seconds(), Ready: st.Ready,
			ReadyAt: timePtr(st.ReadyAt), Restarts: st.Restarts, Failures: st.Failures, WaitingOn: st.WaitingOn,
			Waits: []api.Wait{}, NextStart: timePtr(st.NextStart), Message: st.Message, Note: st.Note,
		}
		for _, w := range st.Waits {
			s.Waits = append(s.Waits, api.Wait{
				Service: w.Service, Local: w.Local, Satisfied: w.Satisfied, Since: w.Since.UTC(),
				Attempts: w.Attempts, Detail: w.Detail,
			})
		}
		if u := st.Unhealthy; u != nil {
			s.Unhealthy = &api.Unhealthy{Since: u.Since.UTC(), Reason: u.Reason, Failures: u.Failures}
		}
		if le := st.LastExit; le != nil {
			s.LastExit = &api.Exit{
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
		out.Sections = append(out.Sections, api.Section{Name: sec.Name, Fields: f})
	}
	return out
}
