package supervisor

import (
	"bytes"
	"regexp"
)

// notable says whether a line of a service's output belongs in the summary
// of KINIT_OUTPUT=summary: a warning or worse, or an exception. It reads
// the formats the node's services print:
//
//	[2026-12-07 02:03:04,567] WARN [Controller id=1] ... (kafka.controller...)  Kafka's log4j
//	2026-12-07 02:03:04,567 [myid:1] - ERROR [main:o.a.z.s.q.QuorumPeer@123] -  ZooKeeper
//	2026-12-07 02:03:04,567 WARN  [io.qua.run.con.ConfigRecorder] (main) ...   Apicurio (Quarkus)
//	{"level":"ERROR", ...} or "log.level":"warn" or "severity":"error"       JSON lines
//	java.lang.IllegalStateException: ... / Caused by: ...                    stack traces
//
// The level is the first level word of the line, so an INFO line that
// mentions ERROR in its text is not taken for an error. The warnings kinit
// itself causes (selfCaused) are left out.
func notable(line []byte) bool {
	for _, s := range selfCaused {
		if bytes.Contains(line, s) {
			return false
		}
	}
	if len(line) > 0 && line[0] == '{' {
		if m := jsonLevel.FindSubmatch(line); m != nil {
			return severe(bytes.ToUpper(m[1]))
		}
	}
	head := line
	if len(head) > 160 {
		head = head[:160]
	}
	if m := levelWord.FindSubmatch(head); m != nil {
		return severe(m[1])
	}
	return bytes.Contains(line, []byte("Exception")) || bytes.HasPrefix(line, []byte("Caused by:")) ||
		javaError.Match(line)
}

// selfCaused are warnings a service prints because of kinit's own probes,
// every few seconds for as long as it runs: they would bury the summary and
// say nothing about the service.
var selfCaused = [][]byte{
	// ZooKeeper 3.x, for each session of a go-zookeeper client (kinit's
	// zookeeper and ZooKeeper-mode kafka probes), which sends no
	// read-only flag.
	[]byte("Connection request from old client "),
}

func severe(level []byte) bool {
	switch string(level) {
	case "WARN", "WARNING", "ERROR", "ERR", "FATAL", "SEVERE", "CRITICAL", "CRIT", "PANIC":
		return true
	}
	return false
}

var (
	// levelWord is the first level word standing on its own (log4j pads
	// it: "WARN ", Quarkus "INFO  ").
	levelWord = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL)(?:[^A-Za-z0-9_]|$)`)
	// jsonLevel is a JSON line's level field under its usual names.
	jsonLevel = regexp.MustCompile(`"(?:level|log\.level|severity|levelname|lvl)"\s*:\s*"([A-Za-z]+)"`)
	// javaError is a Throwable that is no Exception, at the start of a
	// line: "java.lang.OutOfMemoryError: Java heap space".
	javaError = regexp.MustCompile(`^(?:Exception in thread "[^"]*" )?(?:[a-z][\w$]*\.)+[A-Z][\w$]*Error(?::|$)`)
)
