package kafkahome

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var apicurioVersionRe = regexp.MustCompile(`(?m)^version=(\S+)$`)

// ApicurioEnv is what makes the schema-registry service run Apicurio
// Registry: its home (scripts/fetch-apicurio.sh, the one source of the
// version) and a Java 21+ (scripts/find-java21.sh). It fails t when either
// is missing; `make test-deps` provides both.
func ApicurioEnv(t testing.TB) []string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, "scripts/fetch-apicurio.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := apicurioVersionRe.FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/fetch-apicurio.sh has no version= line")
	}
	home := filepath.Join(root, ".cache", "apicurio-"+string(m[1]))
	if _, err := os.Stat(filepath.Join(home, "quarkus-run.jar")); err != nil {
		t.Fatalf("no Apicurio Registry at %s: run `make apicurio` (or `make test-deps`) first", home)
	}
	out, err := exec.Command(filepath.Join(root, "scripts/find-java21.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/find-java21.sh: %v", err)
	}
	return []string{"KINIT_APICURIO_HOME=" + home, "KINIT_REGISTRY_JAVA_HOME=" + strings.TrimSpace(string(out))}
}
