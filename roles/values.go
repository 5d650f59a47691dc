package roles

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kinit/kinit/internal/capnames"
)

// flex holds a TOML value whose type is checked by the converter, so that a
// wrong type is one more collected problem instead of a decode failure that
// hides every other one.
type flex struct {
	v   any
	set bool
}

func (f *flex) UnmarshalTOML(v any) error {
	f.v, f.set = v, true
	return nil
}

func parseDuration(f flex) (time.Duration, error) {
	s, ok := f.v.(string)
	if !ok {
		return 0, fmt.Errorf("want a duration string such as \"30s\", got %v", f.v)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want a number with a unit such as \"500ms\", \"30s\", \"5m\"", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("bad duration %q: must not be negative", s)
	}
	return d, nil
}

// ParseSize reads a byte size the JVM way: "512m", "2g", "1024k", "4GiB" or a
// plain number of bytes. Units are binary.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"tib", 1 << 40}, {"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10},
		{"tb", 1 << 40}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10},
		{"t", 1 << 40}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) || n*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("bad size %q: want a number with an optional unit k, m, g or t (e.g. \"512m\")", s)
	}
	return int64(n * float64(mult)), nil
}

func parseSizeFlex(f flex) (int64, error) {
	switch v := f.v.(type) {
	case string:
		return ParseSize(v)
	case int64:
		if v < 0 {
			return 0, fmt.Errorf("bad size %d: must not be negative", v)
		}
		return v, nil
	}
	return 0, fmt.Errorf("want a size such as \"512m\", got %v", f.v)
}

// parseShare reads a memory share: a fraction 0..1 or a string "40%".
func parseShare(f flex) (float64, error) {
	var v float64
	switch x := f.v.(type) {
	case float64:
		v = x
	case int64:
		v = float64(x)
	case string:
		t := strings.TrimSpace(x)
		if !strings.HasSuffix(t, "%") {
			return 0, fmt.Errorf("bad share %q: want a fraction such as 0.4 or a percentage such as \"40%%\"", x)
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
		if err != nil {
			return 0, fmt.Errorf("bad share %q: want a percentage such as \"40%%\"", x)
		}
		v = p / 100
	default:
		return 0, fmt.Errorf("want a fraction such as 0.4 or \"40%%\", got %v", f.v)
	}
	if v < 0 || v > 1 || math.IsNaN(v) {
		return 0, fmt.Errorf("share %s is outside 0%%..100%%", Percent(v))
	}
	return v, nil
}

// Percent formats a fraction as a percentage without needless decimals.
func Percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*10000)/100, 'f', -1, 64) + "%"
}

func parseMode(f flex) (os.FileMode, error) {
	switch v := f.v.(type) {
	case int64:
		if v < 0 || v > 0o7777 {
			return 0, fmt.Errorf("bad mode %o", v)
		}
		return os.FileMode(v), nil
	case string:
		n, err := strconv.ParseUint(strings.TrimPrefix(v, "0o"), 8, 32)
		if err != nil || n > 0o7777 {
			return 0, fmt.Errorf("bad mode %q: want an octal string such as \"0644\"", v)
		}
		return os.FileMode(n), nil
	}
	return 0, fmt.Errorf("want an octal mode such as \"0644\", got %v", f.v)
}

func parseMin(f flex) (string, error) {
	switch v := f.v.(type) {
	case int64:
		if v < 1 {
			return "", fmt.Errorf("min must be at least 1, got %d", v)
		}
		return strconv.FormatInt(v, 10), nil
	case string:
		if v == "quorum" || v == "all" {
			return v, nil
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			return v, nil
		}
		return "", fmt.Errorf("bad min %q: want \"quorum\", \"all\" or a number", v)
	}
	return "", fmt.Errorf("want \"quorum\", \"all\" or a number, got %v", f.v)
}

// parseCardinality reads "1+", "0+", "3" or "1-5".
func parseCardinality(s string) (min, max int, err error) {
	bad := fmt.Errorf("bad cardinality %q: want \"N+\", \"N\" or \"N-M\"", s)
	switch {
	case strings.HasSuffix(s, "+"):
		n, e := strconv.Atoi(strings.TrimSuffix(s, "+"))
		if e != nil || n < 0 {
			return 0, 0, bad
		}
		return n, -1, nil
	case strings.Contains(s, "-"):
		a, b, _ := strings.Cut(s, "-")
		lo, e1 := strconv.Atoi(a)
		hi, e2 := strconv.Atoi(b)
		if e1 != nil || e2 != nil || lo < 0 || hi < lo {
			return 0, 0, bad
		}
		return lo, hi, nil
	default:
		n, e := strconv.Atoi(s)
		if e != nil || n < 0 {
			return 0, 0, bad
		}
		return n, n, nil
	}
}

func parseCapability(s string) (string, error) {
	name, _, err := capnames.Parse(s)
	return name, err
}
