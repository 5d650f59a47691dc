package macros

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/kinit/kinit/internal/safefs"
	"github.com/kinit/kinit/roles"
)

// PropertyKey maps an environment variable name, without its service prefix,
// to a property key the Confluent image way: lower case, "_" -> ".",
// "__" -> "_", "___" -> "-" (runs are read left to right, three at a time).
func PropertyKey(rest string) string {
	var b strings.Builder
	for i := 0; i < len(rest); {
		if rest[i] != '_' {
			b.WriteString(strings.ToLower(rest[i : i+1]))
			i++
			continue
		}
		n := 0
		for i+n < len(rest) && rest[i+n] == '_' {
			n++
		}
		for n > 0 {
			switch {
			case n >= 3:
				b.WriteByte('-')
				n -= 3
				i += 3
			case n == 2:
				b.WriteByte('_')
				n -= 2
				i += 2
			default:
				b.WriteByte('.')
				n--
				i++
			}
		}
	}
	return b.String()
}

// Kubernetes service links for a Service named X: X_SERVICE_HOST,
// X_SERVICE_PORT[_NAME], X_PORT (tcp://ip:port) and X_PORT_<n>_<PROTO>[_…].
var (
	reServiceLink = regexp.MustCompile(`^(.*_)?(SERVICE_HOST|SERVICE_PORT(_.+)?|PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)$`)
	rePortURL     = regexp.MustCompile(`^(tcp|udp|sctp)://`)
)

// IgnoreReason tells why a prefixed variable is not a property override
// ("" when it is one): launcher variables and Kubernetes service links.
func IgnoreReason(rest, value string) string {
	if launcherVars().Has(rest) {
		return "launcher variable"
	}
	if rest == "CLUSTER_ID" {
		return "the KRaft cluster id is set with KINIT_CLUSTER_ID or CLUSTER_ID and goes to the storage format, never a properties file"
	}
	if reServiceLink.MatchString(rest) {
		return "Kubernetes service link"
	}
	if (rest == "PORT" || strings.HasSuffix(rest, "_PORT")) && rePortURL.MatchString(value) {
		return "Kubernetes service link"
	}
	return ""
}

// EnvMapping is the result of MapEnv.
type EnvMapping struct {
	Overrides []Override // sorted by variable name
	Ignored   []string   // "VAR (reason)"
	Warnings  []string
}

// MapEnv turns the variables that start with prefix into property overrides
// for one service. propPrefix, when set, is prepended to keys that are not
// known as they are (CONTROL_CENTER_X -> confluent.controlcenter.x). A
// NAME_FILE variable reads the value of NAME from a file (secrets). Problems
// are returned as *roles.Error values.
func MapEnv(env roles.Env, prefix, propPrefix string, known *KeySet) (EnvMapping, []error) {
	var m EnvMapping
	var errs []error
	if prefix == "" {
		return m, nil
	}
	byKey := map[string]string{}
	for _, name := range env.Names() {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || rest == "" {
			continue
		}
		value := env[name]
		if why := IgnoreReason(rest, value); why != "" {
			m.Ignored = append(m.Ignored, name+" ("+why+")")
			continue
		}
		o := Override{Var: name, Value: value}
		if base, isFile := strings.CutSuffix(rest, "_FILE"); isFile && base != "" && !known.Has(PropertyKey(rest)) {
			if _, both := env.Lookup(prefix + base); both {
				errs = append(errs, &roles.Error{Msg: fmt.Sprintf("%s and %s%s are both set; use one", name, prefix, base)})
				continue
			}
			// The operator's file (a Kubernetes Secret is a link): followed,
			// but only a regular file, non-blocking, and bounded.
			data, err := safefs.ReadRegular(value, roles.MaxSecretFileSize)
			if err != nil {
				errs = append(errs, &roles.Error{Msg: fmt.Sprintf("%s=%s: cannot read secret file: %v", name, value, unwrap(err))})
				continue
			}
			o.Value = strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
			o.File, o.Secret = value, true
			rest = base
		}
		o.Key, o.Known = resolveKey(PropertyKey(rest), propPrefix, known)
		if !o.Known && known != nil {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s sets %q, which is not a known property (typo?); kept", name, o.Key))
		}
		if IsSecretKey(o.Key) {
			o.Secret = true
		}
		if other, dup := byKey[o.Key]; dup {
			errs = append(errs, &roles.Error{Msg: fmt.Sprintf("%s and %s both set property %q", other, name, o.Key)})
			continue
		}
		byKey[o.Key] = name
		m.Overrides = append(m.Overrides, o)
	}
	sort.Slice(m.Overrides, func(i, j int) bool { return m.Overrides[i].Var < m.Overrides[j].Var })
	return m, errs
}

func resolveKey(key, propPrefix string, known *KeySet) (string, bool) {
	if known.Has(key) {
		return key, true
	}
	if propPrefix != "" && known.Has(propPrefix+key) {
		return propPrefix + key, true
	}
	if k, ok := known.Spelling(key); ok {
		return k, true
	}
	if propPrefix != "" {
		if k, ok := known.Spelling(propPrefix + key); ok {
			return k, true
		}
	}
	return key, false
}

func unwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
