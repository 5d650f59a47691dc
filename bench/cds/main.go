// Command cds measures what kinit-managed class-data sharing (KINIT_CDS=on,
// docs/config.md) does to the standalone demo's start: per mode, a state
// directory is started twice in a row (the first start writes the
// archives, on Java 17 when the JVMs exit; the second maps them), with
// KINIT_CDS off and on, alternating. It reports kinit start -> all ready
// and each service's start -> ready, for the first start and the second.
//
// Run it with `make bench-cds`; it prints figures, it is not a test.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/kinit/kinit/bench/internal/demolog"
)

func main() {
	runs := flag.Int("runs", 2, "pairs of starts per mode and setting")
	flag.Parse()
	for _, mode := range []string{"zookeeper", "kraft"} {
		res := map[string][]start{} // "off 1", "on 2", …
		for r := 0; r < *runs; r++ {
			for _, cds := range []string{"off", "on"} {
				dir, err := os.MkdirTemp("", "kinit-cds-")
				check(err)
				for n := 1; n <= 2; n++ {
					s := run(dir, mode, cds)
					fmt.Fprintf(os.Stderr, "%s, KINIT_CDS=%s, start %d (run %d): all ready %s %v\n", mode, cds, n, r+1, ms(s.total), s.ready)
					k := fmt.Sprintf("%s %d", cds, n)
					res[k] = append(res[k], s)
				}
				os.RemoveAll(dir)
			}
		}
		report(mode, *runs, res)
	}
}

type start struct {
	total time.Duration
	ready map[string]time.Duration // service start -> ready
}

func report(mode string, runs int, res map[string][]start) {
	fmt.Printf("%s mode, standalone demo, medians of %d runs (first start writes the archives, the second maps them):\n", mode, runs)
	var ids []string
	for id := range res["off 1"][0].ready {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	fmt.Printf("  %-22s %12s %12s %12s %12s %10s\n", "start -> ready", "off, 1st", "on, 1st", "off, 2nd", "on, 2nd", "2nd on/off")
	row := func(name string, f func(start) time.Duration) {
		v := map[string]time.Duration{}
		for k, ss := range res {
			var ds []time.Duration
			for _, s := range ss {
				ds = append(ds, f(s))
			}
			slices.Sort(ds)
			v[k] = ds[len(ds)/2]
		}
		ratio := "-"
		if v["off 2"] > 0 {
			ratio = fmt.Sprintf("%.2f×", float64(v["on 2"])/float64(v["off 2"]))
		}
		fmt.Printf("  %-22s %12s %12s %12s %12s %10s\n", name, ms(v["off 1"]), ms(v["on 1"]), ms(v["off 2"]), ms(v["on 2"]), ratio)
	}
	row("kinit -> all ready", func(s start) time.Duration { return s.total })
	for _, id := range ids {
		row(id, func(s start) time.Duration { return s.ready[id] })
	}
}

// run starts the demo in dir until all is ready, then stops it as Ctrl-C
// does and waits for it to end (the JVMs write their archives then).
func run(dir, mode, cds string) start {
	r, err := demolog.Start(dir, mode, "KINIT_CDS="+cds, "KINIT_STOP_TIMEOUT=60s")
	check(err)
	s := start{total: r.Total, ready: map[string]time.Duration{}}
	for id, at := range r.Ready {
		if st, ok := r.Started[id]; ok {
			s.ready[id] = at.Sub(st)
		}
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0fms", float64(d)/1e6) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "cds:", err)
		os.Exit(1)
	}
}
