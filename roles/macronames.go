package roles

// Built-in macro names. The macros package computes a value for each of them
// (a test there checks the two lists agree); they are listed here so that
// Load can reject unknown names without knowing the node.
var (
	// NodeMacros are valid everywhere.
	NodeMacros = []string{
		"UNIQUE_SELF_NODE_INT", "NODE_ID", "GET_NODE_FQDN", "GET_NODE_HOSTNAME",
		"NODE_ROLE", "CONFIG_ID", "CLUSTER_NAME", "CONFIG_DIR",
		"ZOOKEEPER_SERVICE_STRING", "ZOOKEEPER_CHROOT", "ZOOKEEPER_ENSEMBLE",
		"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_ENDPOINTS", "KAFKA_BROKER_COUNT",
		"KAFKA_REPLICATION_FACTOR", "KAFKA_MIN_ISR",
		"SCHEMA_REGISTRY_URL", "CONTROL_CENTER_URL", "CONTROLLER_QUORUM_VOTERS",
		"CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", "CLUSTER_ID", "KRAFT_FORMAT_SCRAM", "ADMIN_USER",
		"MEMORY_LIMIT_MB", "CPU_LIMIT", "ACTIVE_PROCESSOR_COUNT", "JVM_CPU_OPTS",
	}
	// ServiceMacros are valid in a service's own fields and templates.
	ServiceMacros = []string{
		"SERVICE_ID", "SERVICE_NAME", "PORT", "HEAP_MB", "HEAP_OPTS", "SERVICE_DATA_DIR",
		"PROCESS_ROLES", "LISTENERS", "ADVERTISED_LISTENERS", "LISTENER_SECURITY_PROTOCOL_MAP",
		"CONTROLLER_LISTENER_NAMES", "INTER_BROKER_LISTENER_NAME",
	}
)

// ServiceMacroNames returns the per-service macro names derived from a service
// id: HEAP_MB_<ID>, HEAP_OPTS_<ID>, PORT_<ID> and PORT_<ID>_<NAME>.
func ServiceMacroNames(s *Service) []string {
	id := MacroName(s.ID)
	names := []string{"HEAP_MB_" + id, "HEAP_OPTS_" + id}
	if s.Port != 0 {
		names = append(names, "PORT_"+id)
	}
	for name := range s.Ports {
		names = append(names, "PORT_"+id+"_"+MacroName(name))
	}
	return names
}

// macroScope tells which names a string may reference.
type macroScope int

const (
	scopeVars    macroScope = iota // vars and CONFIG_DIR (paths read before the node is known)
	scopeNode                      // everything but the service context
	scopeService                   // everything
)

func (c *Config) knownMacro(name string, scope macroScope) bool {
	if name == "CONFIG_DIR" {
		return true
	}
	for _, v := range c.Vars {
		if v.Macro == name {
			return true
		}
	}
	if scope == scopeVars {
		return false
	}
	for _, m := range c.Macros {
		if m.Name == name {
			return true
		}
	}
	for _, n := range NodeMacros {
		if n == name {
			return true
		}
	}
	for _, s := range c.Services {
		for _, n := range ServiceMacroNames(s) {
			if n == name {
				return true
			}
		}
	}
	if scope == scopeService {
		for _, n := range ServiceMacros {
			if n == name {
				return true
			}
		}
	}
	return false
}

// KnownMacro reports whether name is a macro a service field or template may
// use under this config.
func (c *Config) KnownMacro(name string) bool { return c.knownMacro(name, scopeService) }
