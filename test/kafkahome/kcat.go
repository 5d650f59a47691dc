package kafkahome

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// KcatEnv is the environment that makes Debian's kcat load the librdkafka
// of scripts/fetch-librdkafka.sh (`make test-deps`), which speaks SCRAM to
// Kafka 4; Debian's own (2.0.2) fails it.
func KcatEnv(t testing.TB) []string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(root, "scripts/fetch-librdkafka.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/fetch-librdkafka.sh: %v", err)
	}
	return []string{"LD_LIBRARY_PATH=" + strings.TrimSpace(string(out))}
}
