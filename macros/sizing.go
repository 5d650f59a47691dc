package macros

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kinit/kinit/roles"
)

// Limits are the container's limits the sizing starts from. The CLI fills
// them from internal/cgroup.Effective; tests pass fixed values.
type Limits struct {
	MemoryBytes    int64   // effective: the cgroup limit, else the host's memory; 0 = unknown
	CPUs           float64 // effective: the cgroup quota, else the host's CPUs; 0 = unknown
	MemoryFromHost bool    // the cgroup sets no memory limit
	CPUsFromHost   bool    // the cgroup sets no CPU quota
	Source         string  // where the values came from, for `kinit check`
}

// Sizing is what the container offers and what each local service gets.
type Sizing struct {
	MemoryBytes          int64
	MemorySource         string // "cgroup", "flavor medium" or "host"
	CPUs                 float64
	CPUSource            string
	ActiveProcessorCount int
	Services             []ServiceSizing // local services, in start order
}

// ServiceSizing is one service's share of the container.
type ServiceSizing struct {
	Service     string
	Share       float64 // of the container memory
	MemoryBytes int64   // Share x container memory
	HeapRatio   float64
	HeapBytes   int64 // floor(MemoryBytes x HeapRatio) to whole MiB, capped by heap_max; 0 = no share
	Capped      bool  // heap_max applied
	HeapOpts    string
	HeapFromEnv string // the container's environment sets this launcher variable instead
}

func (s ServiceSizing) String() string {
	if s.Share == 0 {
		return "no memory share: heap left to the launcher's default"
	}
	out := fmt.Sprintf("share %s of memory = %s; heap %s = %s x %s",
		roles.Percent(s.Share), roles.MiB(s.MemoryBytes), roles.MiB(s.HeapBytes), roles.MiB(s.MemoryBytes), strconv.FormatFloat(s.HeapRatio, 'f', -1, 64))
	if s.Capped {
		out += " (capped by heap_max)"
	}
	if s.HeapFromEnv != "" {
		out += "; overridden by " + s.HeapFromEnv + " from the environment"
	}
	return out
}

const mib = 1 << 20

func (b *builder) size(lim Limits) {
	n := b.node
	sz := &b.plan.Sizing
	var flavor roles.Flavor
	hasFlavor := false
	if n.Flavor != "" {
		flavor, hasFlavor = n.Config.Flavors[n.Flavor]
	}
	switch {
	case !lim.MemoryFromHost && lim.MemoryBytes > 0:
		sz.MemoryBytes, sz.MemorySource = lim.MemoryBytes, "cgroup"
	case hasFlavor:
		sz.MemoryBytes, sz.MemorySource = flavor.MemoryBytes, "flavor "+flavor.Name
	default:
		sz.MemoryBytes, sz.MemorySource = lim.MemoryBytes, "host"
	}
	switch {
	case !lim.CPUsFromHost && lim.CPUs > 0:
		sz.CPUs, sz.CPUSource = lim.CPUs, "cgroup"
	case hasFlavor:
		sz.CPUs, sz.CPUSource = flavor.CPUs, "flavor "+flavor.Name
	default:
		sz.CPUs, sz.CPUSource = lim.CPUs, "host"
	}
	sz.ActiveProcessorCount = int(math.Ceil(sz.CPUs - 1e-9))
	if sz.ActiveProcessorCount < 1 {
		sz.ActiveProcessorCount = 1
	}

	for _, s := range n.Services {
		ss := ServiceSizing{Service: s.ID, Share: n.Cluster.Share(s), HeapRatio: s.HeapRatio}
		for k, v := range s.Env {
			for _, ref := range roles.MacroRefs(v) {
				if ref == "HEAP_OPTS" || ref == "HEAP_OPTS_"+roles.MacroName(s.ID) {
					if _, set := b.env.Lookup(k); set && ss.HeapFromEnv == "" {
						ss.HeapFromEnv = k
					}
				}
			}
		}
		if ss.Share > 0 {
			ss.MemoryBytes = int64(ss.Share * float64(sz.MemoryBytes))
			ss.HeapBytes = int64(float64(ss.MemoryBytes)*ss.HeapRatio) / mib * mib
			if s.HeapMax > 0 && ss.HeapBytes > s.HeapMax {
				ss.HeapBytes, ss.Capped = s.HeapMax/mib*mib, true
			}
			ss.HeapOpts = fmt.Sprintf("-Xms%dm -Xmx%dm", ss.HeapBytes/mib, ss.HeapBytes/mib)
			if sz.MemoryBytes <= 0 && ss.HeapFromEnv == "" {
				b.errs.Add(n.Config.File, s.Line, "service %s: cannot size its heap: no memory limit found and no flavor chosen (set KINIT_FLAVOR)", s.ID)
			} else if ss.HeapBytes < s.HeapMin && ss.HeapFromEnv == "" {
				b.errs.Add(n.Config.File, n.Config.Line("services", s.ID, "heap_min"),
					"service %s: heap %s (share %s x memory %s from %s x heap ratio %s) is below its heap_min %s; give the container more memory, raise the share or lower heap_min",
					s.ID, roles.MiB(ss.HeapBytes), roles.Percent(ss.Share), roles.MiB(sz.MemoryBytes), sz.MemorySource,
					strconv.FormatFloat(ss.HeapRatio, 'f', -1, 64), roles.MiB(s.HeapMin))
			}
		}
		if ss.Share > 0 && sz.MemoryBytes > 0 {
			b.checkHeapOpts(s, ss)
		}
		sz.Services = append(sz.Services, ss)
	}
}

// checkHeapOpts flags an -Xmx, set by hand in the environment or in the
// service's env table, above the service's memory share: the JVM may then
// grow past what the container gives this service and be OOM-killed, taking
// the other services' memory first. A warning, not an error: the operator
// may have sized the container for it.
func (b *builder) checkHeapOpts(s *roles.Service, ss ServiceSizing) {
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		v, where := s.Env[k], fmt.Sprintf("%s:%d: %s", b.node.Config.File, b.node.Config.Line("services", s.ID, "env", k), k)
		if ev, set := b.env.Lookup(k); set {
			v, where = ev, k+" in the environment"
		}
		if strings.Contains(v, "@@") {
			continue // kinit's own sizing
		}
		xmx, ok := maxHeap(v)
		if !ok || xmx <= ss.MemoryBytes {
			continue
		}
		b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf(
			"service %s: %s sets -Xmx %s, more than its memory share %s (%s of %s from %s): the JVM can outgrow it and the container be OOM-killed",
			s.ID, where, roles.MiB(xmx), roles.MiB(ss.MemoryBytes), roles.Percent(ss.Share), roles.MiB(b.plan.Sizing.MemoryBytes), b.plan.Sizing.MemorySource))
	}
}

// maxHeap reads the last -Xmx of JVM options (the JVM takes the last one):
// -Xmx4g, -Xmx512m, -Xmx1048576k, -Xmx1073741824.
func maxHeap(opts string) (int64, bool) {
	var out int64
	found := false
	for _, f := range strings.Fields(opts) {
		v, ok := strings.CutPrefix(f, "-Xmx")
		if !ok || v == "" {
			continue
		}
		mult := int64(1)
		switch v[len(v)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		case 't', 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			v = v[:len(v)-1]
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		out, found = n*mult, true
	}
	return out, found
}
