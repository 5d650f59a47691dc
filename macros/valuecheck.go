package macros

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/kinit/kinit/internal/javaprops"
)

// valueRule is one key's line of a .types table: its ConfigDef type and,
// when Kafka validates it, the range or the allowed set.
type valueRule struct {
	Type     string
	Min, Max string
	In       []string
	NoCase   bool
}

var (
	typesOnce sync.Once
	typeSets  map[string]map[string]valueRule
)

func loadTypes() {
	typeSets = map[string]map[string]valueRule{}
	for _, name := range []string{"kafka", "zookeeper"} {
		data, err := dataFS.ReadFile("data/" + name + ".types")
		if err != nil {
			panic("macros: embedded type table missing: " + name)
		}
		typeSets[name] = parseTypes(string(data))
	}
}

func parseTypes(text string) map[string]valueRule {
	out := map[string]valueRule{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		r := valueRule{Type: f[1]}
		for _, opt := range f[2:] {
			k, v, _ := strings.Cut(opt, "=")
			switch k {
			case "min":
				r.Min = v
			case "max":
				r.Max = v
			case "in", "in-nocase":
				r.In, r.NoCase = strings.Split(v, ","), k == "in-nocase"
			}
		}
		out[f[0]] = r
	}
	return out
}

// valueRules returns the type table of a known-key list, nil when there is none.
func valueRules(name string) map[string]valueRule {
	typesOnce.Do(loadTypes)
	return typeSets[name]
}

// Compiled at first use, as every regexp at package level in kinit: a
// package's variables are built at each start of the binary, and kinit
// as a plain PID 1 (kinit -- cmd) never checks a class name. Built at
// start, this package's regexps took 250 KB of heap, and all of kinit's
// about 400 KB, a sixth of its private memory as PID 1.
var reClassName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$`)
})

// checkValue says what is wrong with v for key (as the JVM would parse it:
// ConfigDef.parseType trims numbers, booleans, lists and class names), or "".
// A value holding a ${provider:...} placeholder is resolved by Kafka's config
// providers at start-up, so it is not checked here.
func checkValue(rules map[string]valueRule, key, v string) string {
	r, ok := rules[key]
	if !ok || strings.Contains(v, "${") {
		return ""
	}
	t := strings.TrimSpace(v)
	var elems []string
	switch r.Type {
	case "INT", "LONG", "SHORT":
		bits := map[string]int{"INT": 32, "LONG": 64, "SHORT": 16}[r.Type]
		n, err := strconv.ParseInt(t, 10, bits)
		if err != nil {
			return fmt.Sprintf("not a number of type %s", r.Type)
		}
		return checkRange(r, float64(n))
	case "DOUBLE":
		f, err := strconv.ParseFloat(strings.TrimRight(t, "dDfF"), 64)
		if err != nil || math.IsNaN(f) {
			return "not a number of type DOUBLE"
		}
		return checkRange(r, f)
	case "BOOLEAN":
		if !strings.EqualFold(t, "true") && !strings.EqualFold(t, "false") {
			return "not true or false (BOOLEAN)"
		}
		return ""
	case "CLASS":
		if !reClassName().MatchString(t) {
			return "not a Java class name (CLASS)"
		}
		return ""
	case "LIST":
		if t != "" {
			elems = regexp.MustCompile(`\s*,\s*`).Split(t, -1)
		}
	default:
		elems = []string{v}
	}
	if len(r.In) == 0 {
		return ""
	}
	for _, e := range elems {
		if !inSet(r, e) {
			return fmt.Sprintf("%q is not one of %s", e, strings.Join(r.In, ", "))
		}
	}
	return ""
}

func inSet(r valueRule, e string) bool {
	for _, s := range r.In {
		if s == e || (r.NoCase && strings.EqualFold(s, e)) {
			return true
		}
	}
	return false
}

func checkRange(r valueRule, n float64) string {
	if lo, err := strconv.ParseFloat(r.Min, 64); err == nil && n < lo {
		return "below the minimum " + r.Min
	}
	if hi, err := strconv.ParseFloat(r.Max, 64); err == nil && n > hi {
		return "above the maximum " + r.Max
	}
	return ""
}

func shown(o Override) string {
	if o.Secret {
		return "(secret)"
	}
	return strconv.Quote(o.Value)
}

// checkTemplateValues checks each entry of a properties template, with its
// macros expanded, at its template line. Keys an env override replaces are
// checked as overrides instead; lines whose macros do not resolve are
// reported by the renderer.
func (b *builder) checkTemplateValues(src, text, keys string, sc *scope, ovs []Override) {
	rules := valueRules(keys)
	if rules == nil {
		return
	}
	overridden := map[string]bool{}
	for _, o := range ovs {
		overridden[o.Key] = true
	}
	for _, l := range javaprops.Lines(text) {
		if !l.Entry || overridden[l.Key] {
			continue
		}
		v, unknown, err := sc.expand(l.Value)
		if err != nil || len(unknown) > 0 || strings.Contains(v, "@@") {
			continue
		}
		if why := checkValue(rules, l.Key, v); why != "" {
			b.errs.Add(src, l.Num, "%s = %q: %s", l.Key, v, why)
		}
	}
}
