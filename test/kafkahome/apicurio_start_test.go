package kafkahome

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeJava is a JDK's bin/java that logs each call: a version probe (with
// the JDK_JAVA_OPTIONS it saw) or the registry's exec.
const fakeJava = `#!/bin/sh
if [ "$1" = -XshowSettings:properties ]; then
  echo "probe ${JDK_JAVA_OPTIONS-unset}" >> "$CALLS"
  echo "    java.specification.version = 25" >&2
  exit 0
fi
echo "exec ${JDK_JAVA_OPTIONS-unset}" >> "$CALLS"
`

// The registry's launcher must start no JVM of its own with kinit's
// class-data sharing option: Java 19+ creates a missing archive at exit, so
// a version probe would write the registry's archive with its own few
// classes, and the registry would map those from then on.
func TestApicurioStartKeepsTheArchiveForTheRegistry(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	start := filepath.Join(root, "rootfs/usr/lib/apicurio/bin/apicurio-registry-start")
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "quarkus-run.jar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	props := filepath.Join(home, "registry.properties")
	if err := os.WriteFile(props, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const opts = "-XX:SharedArchiveFile=/data/a.jsa -XX:+AutoCreateSharedArchive"
	for _, tt := range []struct {
		name    string
		release string // the JDK's release file; "" for none
		want    string // the calls, in order
		fails   string
	}{
		{"release file", `JAVA_VERSION="25.0.3"`, "exec " + opts, ""},
		{"no release file", "", "probe unset\nexec " + opts, ""},
		{"too old", `JAVA_VERSION="17.0.15"`, "", "is Java 17"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			jdk := t.TempDir()
			if err := os.Mkdir(filepath.Join(jdk, "bin"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(jdk, "bin/java"), []byte(fakeJava), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.release != "" {
				if err := os.WriteFile(filepath.Join(jdk, "release"), []byte(tt.release+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			calls := filepath.Join(t.TempDir(), "calls")
			cmd := exec.Command(start, props)
			cmd.Env = append(os.Environ(), "JAVA_HOME="+jdk, "APICURIO_HOME="+home, "CALLS="+calls, "JDK_JAVA_OPTIONS="+opts)
			out, err := cmd.CombinedOutput()
			got, _ := os.ReadFile(calls)
			if tt.fails != "" {
				if err == nil || !strings.Contains(string(out), tt.fails) {
					t.Fatalf("want a refusal with %q, got %v: %s", tt.fails, err, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if strings.TrimSpace(string(got)) != tt.want {
				t.Errorf("java calls:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
