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
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kinit/kinit/roles"

	"github.com/kinit/kinit/bench/internal/demolog"
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

// coldStart runs the demo once in a fresh directory until all is ready,
// stops it, and sums the edges.
func coldStart(mode string, deps map[string][]string) (edge, total time.Duration, detail string) {
	dir, err := os.MkdirTemp("", "kinit-coldstart-")
	check(err)
	defer os.RemoveAll(dir)
	r, err := demolog.Start(dir, mode)
	check(err)
	started, ready, total := r.Started, r.Ready, r.Total
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
	return edge, total, strings.Join(parts, ", ")
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
