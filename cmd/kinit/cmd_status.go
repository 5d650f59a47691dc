package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

func init() {
	register("status", command{
		summary: "show the node and its services (--json: the documented JSON object; --watch: follow it live)",
		usage:   "[--json | --watch]",
		run:     cmdStatus,
	})
}

func cmdStatus(args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	asJSON := fs.Bool("json", false, "print the status as JSON (see docs/supervision.md)")
	watch := fs.Bool("watch", false, "follow the node live: redrawn in place on a terminal, one line per event when piped")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageError("status takes no arguments")
	}
	if *watch {
		if *asJSON {
			return usageError("status takes --json or --watch, not both")
		}
		return watchStatus()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := client.New("").Status(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(st)
		return exitOK
	}
	printStatus(os.Stdout, st, time.Now())
	return exitOK
}

// printStatus renders the status header and table for people.
func printStatus(w io.Writer, st *client.Status, now time.Time) {
	n := st.Node
	fmt.Fprintf(w, "node:  role %s, id %d, fqdn %s, hostname %s, config %s", dash(n.Role), n.ID, dash(n.FQDN), dash(n.Hostname), dash(n.ConfigID))
	if n.Cluster != "" {
		fmt.Fprintf(w, ", cluster %s", n.Cluster)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "kinit: pid %d, %s, up %s", st.Kinit.Pid, st.Kinit.Phase, seconds(st.Kinit.UptimeSeconds))
	if st.Kinit.OutputDropped > 0 {
		fmt.Fprintf(w, ", %d output lines dropped (slow or closed stdout)", st.Kinit.OutputDropped)
	}
	fmt.Fprint(w, "\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// A broker's numbers at a glance (metrics shipping reads its JVM) get
	// a column of their own, only when some service has them.
	notes := false
	for _, s := range st.Services {
		notes = notes || s.Note != ""
	}
	header := "SERVICE\tSTATE\tPID\tUPTIME\tRESTARTS\tREADY\tWAITING ON\tLAST EXIT"
	if notes {
		header += "\tKAFKA"
	}
	fmt.Fprintln(tw, header)
	for _, s := range st.Services {
		pid, up := "-", "-"
		if s.Pid != 0 {
			pid, up = fmt.Sprint(s.Pid), seconds(s.UptimeSeconds)
		}
		ready := "no"
		if s.Ready {
			ready = "yes"
		}
		waiting := s.WaitingOn
		if waiting == "" && s.Message != "" && (s.State == "failed" || s.State == "stopped") {
			waiting = s.Message
		}
		if u := s.Unhealthy; u != nil {
			waiting = fmt.Sprintf("unhealthy for %s, %d checks failed: %s",
				now.Sub(u.Since).Round(time.Second), u.Failures, u.Reason)
		}
		if s.State == "backoff" && s.NextStart != nil {
			waiting = "restart in " + s.NextStart.Sub(now).Round(100*time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s", s.ID, s.State, pid, up, s.Restarts, ready,
			dash(oneLine(waiting, 70)), lastExit(s.LastExit, now))
		if notes {
			fmt.Fprint(tw, "\t"+dash(s.Note))
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
	for _, sec := range st.Sections {
		keys := make([]string, 0, len(sec.Fields))
		for k := range sec.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + sec.Fields[k]
		}
		fmt.Fprintf(w, "\n%s: %s\n", sec.Name, strings.Join(parts, " "))
	}
}

func lastExit(e *client.Exit, now time.Time) string {
	if e == nil {
		return "-"
	}
	what := fmt.Sprintf("code %d", e.Code)
	if e.Signal != "" {
		what = e.Signal
	}
	return fmt.Sprintf("%s, %s ago", what, now.Sub(e.At).Round(time.Second))
}

func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}
