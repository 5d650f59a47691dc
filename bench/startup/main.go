// Command startup measures the standalone demo's start in each mode with
// the start-up work of issue 28 off and on: "before" is Apicurio's own poll
// timeout (5000 ms, the template sets 200), Kafka's 50 partitions of
// __consumer_offsets and C2 in the registry and the one-shot Kafka tools
// (the demo sets 1 partition, kinit.toml and the demo C1 only), with
// KINIT_CDS off; "no CDS" is the shipped template and demo with KINIT_CDS
// off; "CDS" adds KINIT_CDS=on. Each run starts one state directory twice
// (a container's first start, then a restart: the first start writes the
// class-data archives, on Java 17 when the JVMs exit; the second maps
// them). It reports kinit start -> all ready and each service's start ->
// ready, medians of the runs.
//
// Run it with `make bench-startup`; it prints figures, it is not a test.
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/kinit/kinit/bench/internal/demolog"
)

// variant is one setting of the start-up work, as environment variables.
type variant struct {
	name string
	env  []string
}

var variants = []variant{
	{"before", []string{"KINIT_CDS=off", "SCHEMA_REGISTRY_APICURIO_KAFKASQL_CONSUMER_POLL_TIMEOUT=5000",
		"KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS=50", "KINIT_REGISTRY_JVM_OPTS=", "KINIT_ONESHOT_JVM_OPTS="}},
	{"no CDS", []string{"KINIT_CDS=off"}},
	{"CDS", []string{"KINIT_CDS=on"}},
}

// start is one start of the demo.
type start struct {
	total time.Duration
	ready map[string]time.Duration // service start -> ready
}

func main() {
	runs := flag.Int("runs", 2, "runs (a state directory started twice) per mode and variant")
	flag.Parse()
	for _, mode := range []string{"zookeeper", "kraft"} {
		res := map[string][]start{} // key: variant name + " 1" or " 2"
		// Variants alternate within a run, so drift in the machine's load
		// spreads over all of them.
		for r := 1; r <= *runs; r++ {
			for _, v := range variants {
				dir, err := os.MkdirTemp("", "kinit-startup-")
				check(err)
				for n := 1; n <= 2; n++ {
					s := run(dir, mode, v.env)
					fmt.Fprintf(os.Stderr, "%s, %s, start %d (run %d): all ready %s %v\n", mode, v.name, n, r, ms(s.total), s.ready)
					k := fmt.Sprintf("%s %d", v.name, n)
					res[k] = append(res[k], s)
				}
				os.RemoveAll(dir)
			}
		}
		report(mode, *runs, res)
	}
}

func report(mode string, runs int, res map[string][]start) {
	fmt.Printf("%s mode, standalone demo, medians of %d runs; 1st: a fresh state directory, 2nd: the same one started again:\n", mode, runs)
	ids := map[string]bool{}
	for _, ss := range res {
		for _, s := range ss {
			for id := range s.ready {
				ids[id] = true
			}
		}
	}
	var cols []string // result keys, in column order
	fmt.Printf("  %-22s", "start -> ready")
	for n, nth := range []string{"1st", "2nd"} {
		for _, v := range variants {
			cols = append(cols, fmt.Sprintf("%s %d", v.name, n+1))
			fmt.Printf(" %11s", v.name+", "+nth)
		}
	}
	fmt.Printf(" %9s %9s\n", "1st a/b", "2nd a/b")
	row := func(name string, f func(start) time.Duration) {
		v := map[string]time.Duration{}
		for _, c := range cols {
			var ds []time.Duration
			for _, s := range res[c] {
				ds = append(ds, f(s))
			}
			if len(ds) > 0 {
				slices.Sort(ds)
				v[c] = ds[len(ds)/2]
			}
		}
		fmt.Printf("  %-22s", name)
		for _, c := range cols {
			fmt.Printf(" %11s", ms(v[c]))
		}
		// after/before: the shipped template with CDS against Apicurio's
		// defaults without it.
		fmt.Printf(" %9s %9s\n", ratio(v["CDS 1"], v["before 1"]), ratio(v["CDS 2"], v["before 2"]))
	}
	row("kinit -> all ready", func(s start) time.Duration { return s.total })
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		row(id, func(s start) time.Duration { return s.ready[id] })
	}
	fmt.Println("  a/b: CDS (the shipped template, KINIT_CDS=on) / before (Apicurio's poll timeout, KINIT_CDS=off)")
}

func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// run starts the demo in dir until all is ready, then stops it as Ctrl-C
// does and waits for it to end (the JVMs write their archives then).
func run(dir, mode string, env []string) start {
	r, err := demolog.Start(dir, mode, append(env, "KINIT_STOP_TIMEOUT=60s")...)
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
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}
