package macros

import "strings"

// commonEnv is what every service receives from the container's
// environment whatever its prefix (docs/config.md, "Environment"): what a process expects from a login
// (PATH, HOME, locale, time zone, terminal) and the JVM-wide options an
// image or operator sets for every Java process. A name ending in * is a
// prefix. Anything else reaches only the service whose env_prefix it
// carries, or that lists it in pass_env: a broker's keystore password in
// KAFKA_SSL_KEYSTORE_PASSWORD is no business of ZooKeeper's.
var commonEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "HOSTNAME", "TERM", "TZ", "TMPDIR",
	"LANG", "LANGUAGE", "LC_*",
	"JAVA_HOME", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
	// Who this node is, and where kinit answers (a service's script or
	// exec probe may run `kinit status`).
	"KINIT_ROLE", "KINIT_NODE_ID", "KINIT_CONFIG_ID", "KINIT_SOCKET",
}

// PassEnvVar lists, comma-separated, more variables (or NAME_* prefixes)
// that every service of the node receives: pass_env for the whole node,
// set where the container is run rather than in kinit.toml.
const PassEnvVar = "KINIT_PASS_ENV"

func nodePassEnv(base []string) []string {
	var out []string
	for _, kv := range base {
		if v, ok := strings.CutPrefix(kv, PassEnvVar+"="); ok {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// passesEnv says whether the container variable k reaches this service.
func (s *Service) passesEnv(k string, node []string) bool {
	if s.EnvPrefix != "" && strings.HasPrefix(k, s.EnvPrefix) {
		return true
	}
	return matchesEnv(commonEnv, k) || matchesEnv(s.PassEnv, k) || matchesEnv(node, k)
}

func matchesEnv(patterns []string, k string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		} else if k == p {
			return true
		}
	}
	return false
}
