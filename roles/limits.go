package roles

import "math"

// Limits on what kinit reads and expands, so that no file, variable or
// chain of macro references can hang it or grow its memory without bound.
// Each is far above what a real deployment needs: the shipped kinit.toml
// is about 20 KiB, a properties template a few KiB, a node id file a line.
const (
	// MaxIDFileSize bounds the files kinit reads in service-owned data
	// dirs: the persisted node and cluster ids, ZooKeeper's myid,
	// Kafka's meta.properties.
	MaxIDFileSize = 64 << 10
	// MaxConfigSize bounds KINIT_CONFIG (kinit.toml).
	MaxConfigSize = 4 << 20
	// MaxNodesFileSize bounds KINIT_NODES_FILE (or the config's nodes_file).
	MaxNodesFileSize = 4 << 20
	// MaxSecretFileSize bounds each NAME_FILE a property value is read from.
	MaxSecretFileSize = 1 << 20
	// MaxTemplateSize bounds each template source.
	MaxTemplateSize = 4 << 20

	// MaxExpanded bounds one expansion of @@NAME@@ references: a var, a
	// user macro, a config field, a template line.
	MaxExpanded = 1 << 20
	// MaxRendered bounds one rendered file.
	MaxRendered = 16 << 20
	// MaxExpandedTotal bounds everything one node's vars, or one node's
	// macros, fields and rendered files, expand to together: with it the
	// work is linear in the input, however many references it holds.
	MaxExpandedTotal = 64 << 20

	// MaxNodeID is the largest node id: broker.id and node.id are Java
	// ints in Kafka, and the id is never negative.
	MaxNodeID = math.MaxInt32
)
