package supervisor

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Output modes for the services' lines on kinit's stdout (KINIT_OUTPUT).
const (
	// OutputFull forwards every line: what `docker logs` and log shippers
	// expect.
	OutputFull = "full"
	// OutputSummary forwards a service's warnings and errors and its first
	// lines after each start (summary.go); the rest stays in its ring for
	// `kinit logs`.
	OutputSummary = "summary"
)

// outputSettings fills what Options leave empty from KINIT_OUTPUT and
// KINIT_LOG_RING. A bad value is an error naming the variable, which New
// returns, so `kinit up` exits 78 before anything starts.
func outputSettings(o *Options) error {
	if o.OutputMode == "" {
		o.OutputMode = os.Getenv("KINIT_OUTPUT")
		if o.OutputMode == "" {
			o.OutputMode = OutputFull
		}
		if o.OutputMode != OutputFull && o.OutputMode != OutputSummary {
			return fmt.Errorf("KINIT_OUTPUT=%q: want %q (every line of the services on stdout) or %q (kinit's lines, the services' warnings and errors, their first lines after a start)",
				o.OutputMode, OutputFull, OutputSummary)
		}
	}
	if o.LogRingBytes == 0 {
		o.LogRingBytes = logRingBytes
		if v := os.Getenv("KINIT_LOG_RING"); v != "" {
			n, err := parseSize(v)
			if err != nil {
				return fmt.Errorf("KINIT_LOG_RING=%q: %w", v, err)
			}
			o.LogRingBytes = n
		}
	}
	return nil
}

// Bounds of a ring: below the smallest, not even one longest line fits;
// above the largest, a node of a few services could hold gigabytes.
const (
	minLogRing = 16 << 10
	maxLogRing = 256 << 20
)

// parseSize reads a size such as 262144, 512KiB, 1MiB or 64k (K, M and G
// are powers of 1024 with or without "iB"; KB, MB and GB powers of 1000).
func parseSize(s string) (int, error) {
	num := strings.TrimRight(s, "KMGiBkbmg")
	unit := s[len(num):]
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a size such as 256KiB, 512KiB or 1MiB")
	}
	mult := map[string]int64{
		"": 1, "B": 1,
		"k": 1 << 10, "K": 1 << 10, "KiB": 1 << 10, "KB": 1000, "kB": 1000,
		"m": 1 << 20, "M": 1 << 20, "MiB": 1 << 20, "MB": 1000 * 1000,
		"g": 1 << 30, "G": 1 << 30, "GiB": 1 << 30, "GB": 1000 * 1000 * 1000,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("unknown unit %q: want a size such as 256KiB, 512KiB or 1MiB", unit)
	}
	if n > maxLogRing/mult+1 || n*mult > maxLogRing || n*mult < minLogRing {
		return 0, fmt.Errorf("want between %d KiB and %d MiB per service", minLogRing>>10, maxLogRing>>20)
	}
	return int(n * mult), nil
}
