package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

type results struct {
	storms []stormResult
	idles  []idleResult
}

func median[T int64 | time.Duration | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func collect[T any, V int64 | time.Duration](xs []T, f func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

type row struct {
	label string
	value func(*results) float64
	unit  string
	prec  int
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func report(w io.Writer, inits []initProg, res map[string]*results, runs, orphans int, idle time.Duration) {
	fmt.Fprintf(w, "## kinit vs tini vs dumb-init as PID 1 (medians of %d runs)\n\n", runs)
	machine(w, inits)
	rows := []row{
		{fmt.Sprintf("reap storm (%d orphans): wall until the init exits", orphans),
			func(r *results) float64 {
				return ms(median(collect(r.storms, func(s stormResult) time.Duration { return s.wall })))
			}, "ms", 0},
		{"reap storm: reap phase (orphans released → none left in /proc)",
			func(r *results) float64 {
				return ms(median(collect(r.storms, func(s stormResult) time.Duration { return s.reap })))
			}, "ms", 0},
		{"reap storm: init CPU during the reap phase",
			func(r *results) float64 {
				return ms(median(collect(r.storms, func(s stormResult) time.Duration { return s.initCPU })))
			}, "ms", 0},
		{"reap storm: init CPU over the whole storm (orphans made and reaped)",
			func(r *results) float64 {
				return ms(median(collect(r.storms, func(s stormResult) time.Duration { return s.stormCPU })))
			}, "ms", 0},
		{"reap storm: init wake-ups during the reap phase",
			func(r *results) float64 {
				return float64(median(collect(r.storms, func(s stormResult) int64 { return s.wakeups })))
			}, "", 0},
		{"reap storm: zombies left (max over runs)",
			func(r *results) float64 {
				return float64(slices.Max(collect(r.storms, func(s stormResult) int64 { return int64(s.zombies) })))
			}, "", 0},
		{fmt.Sprintf("idle (`sleep %s`): init CPU per 20 s of idling", idle),
			func(r *results) float64 {
				return ms(median(collect(r.idles, func(s idleResult) time.Duration { return s.perTwentyS })))
			}, "ms", 3},
		{"idle: init CPU in total, start-up included (CPU clock)",
			func(r *results) float64 {
				return ms(median(collect(r.idles, func(s idleResult) time.Duration { return s.cpuTotal })))
			}, "ms", 3},
		{"idle: init utime+stime from /proc/PID/stat (10 ms ticks)",
			func(r *results) float64 {
				return ms(median(collect(r.idles, func(s idleResult) time.Duration { return s.statTotal })))
			}, "ms", 0},
		{"idle: init wake-ups (voluntary context switches) while idle",
			func(r *results) float64 {
				return float64(median(collect(r.idles, func(s idleResult) int64 { return s.wakeups })))
			}, "", 0},
		{"idle: init peak RSS (VmHWM)",
			func(r *results) float64 {
				return mib(median(collect(r.idles, func(s idleResult) int64 { return s.hwm })))
			}, "MiB", 2},
		{"idle: of which private (RssAnon)",
			func(r *results) float64 {
				return mib(median(collect(r.idles, func(s idleResult) int64 { return s.rssAnon })))
			}, "MiB", 2},
		{"idle: of which mapped executable/library pages (RssFile)",
			func(r *results) float64 {
				return mib(median(collect(r.idles, func(s idleResult) int64 { return s.rssFile })))
			}, "MiB", 2},
	}
	fmt.Fprint(w, "| metric |")
	for _, in := range inits {
		fmt.Fprintf(w, " %s |", in.name)
	}
	for _, in := range inits[1:] {
		fmt.Fprintf(w, " %s/%s |", inits[0].name, in.name)
	}
	fmt.Fprint(w, "\n|---|")
	fmt.Fprint(w, strings.Repeat("---:|", 2*len(inits)-1))
	fmt.Fprintln(w)
	for _, r := range rows {
		label := r.label
		if r.unit != "" {
			label += " (" + r.unit + ")"
		}
		fmt.Fprintf(w, "| %s |", label)
		vals := make([]float64, len(inits))
		for i, in := range inits {
			vals[i] = r.value(res[in.name])
			fmt.Fprintf(w, " %.*f |", r.prec, vals[i])
		}
		for _, v := range vals[1:] {
			if v == 0 {
				fmt.Fprint(w, " – |")
			} else {
				fmt.Fprintf(w, " %.2f× |", vals[0]/v)
			}
		}
		fmt.Fprintln(w)
	}

	// The machine is shared: a run where every init's CPU triples is the
	// machine, not the init. Each run has the three inits back to back,
	// so the ratio within a run cancels that drift; its median is the
	// figure the reap-CPU target is judged on.
	k, t := res[inits[0].name], res[inits[1].name]
	fmt.Fprintln(w, "\nReap-phase CPU, median of the per-run ratios (the inits of one run ran back to back):")
	var paired []float64
	for _, in := range inits[1:] {
		r := pairedRatio(k.storms, res[in.name].storms)
		paired = append(paired, r)
		fmt.Fprintf(w, "- %s/%s: %.2f× (per run: %s)\n", inits[0].name, in.name, r, perRun(k.storms, res[in.name].storms))
	}
	fmt.Fprintln(w, "\nInit CPU over the whole storm, per run (orphans made and reaped; the target is judged on the worst run):")
	for _, in := range inits[1:] {
		var parts []string
		for _, r := range stormRatios(k.storms, res[in.name].storms) {
			parts = append(parts, fmt.Sprintf("%.2f", r))
		}
		fmt.Fprintf(w, "- %s/%s: worst %.2f× (per run: %s)\n", inits[0].name, in.name,
			slices.Max(stormRatios(k.storms, res[in.name].storms)), strings.Join(parts, ", "))
	}
	stormRatio := rows[0].value(k) / rows[0].value(t)
	fmt.Fprintln(w, "\nTargets:")
	check(w, fmt.Sprintf("reap storm wall ≤ 1.2× tini: %.2f×", stormRatio), stormRatio <= 1.2)
	check(w, fmt.Sprintf("reap CPU per orphan ≤ 1.5× tini (median per-run ratio): %.2f×", paired[0]), paired[0] <= 1.5)
	worst := slices.Max(stormRatios(k.storms, t.storms))
	check(w, fmt.Sprintf("init CPU over the whole storm ≤ 1.5× tini in every run (worst run): %.2f×", worst), worst <= 1.5)
	check(w, fmt.Sprintf("zombies left = 0: %v", rows[5].value(k)), rows[5].value(k) == 0)
	check(w, fmt.Sprintf("idle CPU ≤ 2 ms per 20 s: %.3f ms", rows[6].value(k)), rows[6].value(k) <= 2)
	check(w, fmt.Sprintf("private memory (RssAnon) ≤ 2 MiB: %.2f MiB", rows[11].value(k)), rows[11].value(k) <= 2)
	check(w, fmt.Sprintf("peak RSS ≤ 8 MiB: %.2f MiB", rows[10].value(k)), rows[10].value(k) <= 8)
}

func ratios(a, b []stormResult) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		if b[i].initCPU > 0 {
			out = append(out, float64(a[i].initCPU)/float64(b[i].initCPU))
		}
	}
	return out
}

// stormRatios are the per-run ratios of PID 1's CPU over the whole storm.
func stormRatios(a, b []stormResult) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		if b[i].stormCPU > 0 {
			out = append(out, float64(a[i].stormCPU)/float64(b[i].stormCPU))
		}
	}
	if len(out) == 0 {
		out = append(out, 0)
	}
	return out
}

func pairedRatio(a, b []stormResult) float64 {
	if rs := ratios(a, b); len(rs) > 0 {
		return median(rs)
	}
	return 0
}

func perRun(a, b []stormResult) string {
	var parts []string
	for _, r := range ratios(a, b) {
		parts = append(parts, fmt.Sprintf("%.2f", r))
	}
	return strings.Join(parts, ", ")
}

func check(w io.Writer, what string, ok bool) {
	verdict := "met"
	if !ok {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "- %s — %s\n", what, verdict)
}

func machine(w io.Writer, inits []initProg) {
	var u unix.Utsname
	_ = unix.Uname(&u)
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if v, ok := statusField("/proc/meminfo", "MemTotal:"); ok {
		mem = fmt.Sprintf(", %.1f GiB RAM", float64(v)/(1<<20))
	}
	fmt.Fprintf(w, "%s; Linux %s; %s, %d CPUs%s; bench built with %s.\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), unix.ByteSliceToString(u.Release[:]),
		cpu, runtime.NumCPU(), mem, runtime.Version())
	var vers []string
	for _, in := range inits {
		arg := "--version"
		if in.name == "kinit" {
			arg = "version"
		}
		out, _ := exec.Command(in.argv[0], arg).CombinedOutput()
		v := strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
		vers = append(vers, fmt.Sprintf("%s: `%s`", in.name, v))
	}
	fmt.Fprintf(w, "Versions: %s.\n\n", strings.Join(vers, "; "))
}
