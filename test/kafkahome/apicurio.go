package kafkahome

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var apicurioVersionRe = regexp.MustCompile(`(?m)^version=(\S+)$`)

// ApicurioEnv is what makes the schema-registry service run Apicurio
// Registry under kinit: kinit.toml's apicurio_home and registry_java_home.
func ApicurioEnv(t testing.TB) []string {
	t.Helper()
	home, java := Apicurio(t)
	return []string{"KINIT_APICURIO_HOME=" + home, "KINIT_REGISTRY_JAVA_HOME=" + java}
}

// Apicurio returns Apicurio Registry's home (scripts/fetch-apicurio.sh, the
// one source of the version) and a Java 21+ home (scripts/find-java21.sh).
// It fails t when either is missing; `make test-deps` provides both.
func Apicurio(t testing.TB) (home, javaHome string) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := ApicurioVersion()
	if err != nil {
		t.Fatal(err)
	}
	home = filepath.Join(root, ".cache", "apicurio-"+v)
	if _, err := os.Stat(filepath.Join(home, "quarkus-run.jar")); err != nil {
		t.Fatalf("no Apicurio Registry at %s: run `make apicurio` (or `make test-deps`) first", home)
	}
	out, err := exec.Command(filepath.Join(root, "scripts/find-java21.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/find-java21.sh: %v", err)
	}
	return home, strings.TrimSpace(string(out))
}

// ApicurioVersion is the version scripts/fetch-apicurio.sh fetches, the one
// source of it.
func ApicurioVersion() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	script, err := os.ReadFile(filepath.Join(root, "scripts/fetch-apicurio.sh"))
	if err != nil {
		return "", err
	}
	m := apicurioVersionRe.FindSubmatch(script)
	if m == nil {
		return "", errors.New("scripts/fetch-apicurio.sh has no version= line")
	}
	return string(m[1]), nil
}
