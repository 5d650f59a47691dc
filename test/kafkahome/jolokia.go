package kafkahome

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var jolokiaVersionRe = regexp.MustCompile(`<jolokia\.version>([^<]+)</jolokia\.version>`)

// JolokiaAgent is the Jolokia JVM agent `make jolokia` lays out, as
// KINIT_JOLOKIA_AGENT wants it.
func JolokiaAgent(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	pom, err := os.ReadFile(filepath.Join(root, "java", "jolokia", "pom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	m := jolokiaVersionRe.FindSubmatch(pom)
	if m == nil {
		t.Fatal("java/jolokia/pom.xml names no <jolokia.version>")
	}
	jar := filepath.Join(root, ".cache", "jolokia-"+string(m[1]), "jolokia-agent.jar")
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("%s is missing: run `make jolokia` (or `make test-deps`) first", jar)
	}
	return jar
}
