// Command coldstart measures kinit's own share of a cold start of the
// standalone demo (scripts/demo.sh, each mode, a fresh state directory per
// run): for every dependency edge, the time from the dependency being
// ready to the dependent's process being started, summed, against the
// time from kinit's start to all ready. Everything else in a cold start is
// the JVMs'. It reads kinit's own JSON log; the edges come from
// kinit.toml (the waits between the services of the config's role).
//
// Run it with `make bench-coldstart`; it prints figures, it is not a test.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kinit/kinit/roles"
)

func main() {
	runs := flag.Int("runs", 3, "cold starts per mode")
	flag.Parse()
	cfg, err := roles.Load("rootfs/etc/kinit/kinit.toml")
	check(err)
	for _, m := range []struct{ mode, config string }{{"zookeeper", "standalone"}, {"kraft", "kraft-standalone"}} {
		deps := localDeps(cfg, m.config)
		var shares, edges, totals []time.Duration
		for r := 0; r < *runs; r++ {
			edge, total, detail := coldStart(m.mode, deps)
			fmt.Fprintf(os.Stderr, "%s run %d: edges %v of %v (%s)\n", m.mode, r+1, edge, total, detail)
			edges, totals = append(edges, edge), append(totals, total)
			shares = append(shares, time.Duration(float64(edge)/float64(total)*1e6))
		}
		fmt.Printf("cold start, %s mode (%s), %d runs: kinit's share %.2f%% (edges %s of %s to all ready, medians)   (target <= 2%%)\n",
			m.mode, m.config, *runs, float64(median(shares))/1e4, ms(median(edges)), ms(median(totals)))
	}
}

// localDeps maps each service of the config's one role to the services of
// that role it waits for.
func localDeps(cfg *roles.Config, config string) map[string][]string {
	cc := cfg.Configs[config]
	deps := map[string][]string{}
	for _, sids := range cc.Roles {
		for _, sid := range sids {
			for _, w := range cfg.Services[sid].Waits {
				if slices.Contains(sids, w.Service) {
					deps[sid] = append(deps[sid], w.Service)
				}
			}
		}
	}
	return deps
}

type logLine struct {
	Time  time.Time `json:"time"`
	Msg   string    `json:"msg"`
	After string    `json:"after"`
}

// coldStart runs the demo once in a fresh directory until all is ready,
// stops it, and sums the edges.
func coldStart(mode string, deps map[string][]string) (edge, total time.Duration, detail string) {
	dir, err := os.MkdirTemp("", "kinit-coldstart-")
	check(err)
	defer os.RemoveAll(dir)
	cmd := exec.Command("scripts/demo.sh", mode)
	cmd.Env = append(os.Environ(), "DEMO_DIR="+dir, "KINIT_LOG_FORMAT=json", "KINIT_SOCKET="+filepath.Join(dir, "k.sock"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	check(cmd.Start())
	started, ready := map[string]time.Time{}, map[string]time.Time{}
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if id, ok := serviceMsg(l.Msg, " started"); ok {
			started[id] = l.Time
		} else if id, ok := serviceMsg(l.Msg, " ready"); ok {
			ready[id] = l.Time
		} else if id, ok := serviceMsg(l.Msg, " done: exited with code 0"); ok { // a one-shot
			ready[id] = l.Time
		} else if l.Msg == "all services ready" {
			total, err = time.ParseDuration(l.After)
			check(err)
			break
		}
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	_ = cmd.Wait()
	pw.Close()
	var parts []string
	for id, ds := range deps {
		var last time.Time
		for _, d := range ds {
			if ready[d].After(last) {
				last = ready[d]
			}
		}
		if s, ok := started[id]; ok && !last.IsZero() {
			edge += s.Sub(last)
			parts = append(parts, fmt.Sprintf("%s %s", id, ms(s.Sub(last))))
		}
	}
	slices.Sort(parts)
	if total == 0 {
		fmt.Fprintln(os.Stderr, "the demo never got to all ready")
		os.Exit(1)
	}
	return edge, total, strings.Join(parts, ", ")
}

// serviceMsg parses `service "ID" started` / `service "ID" ready`.
func serviceMsg(msg, suffix string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, `service "`)
	if !ok {
		return "", false
	}
	id, tail, ok := strings.Cut(rest, `"`)
	return id, ok && tail == suffix
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}
