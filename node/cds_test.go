package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
)

// fakeJava lays out a JDK home with a release file naming version.
func fakeJava(t *testing.T, version string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "bin", "java"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "release"), []byte(`JAVA_VERSION="`+version+`"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return home
}

// TestCDSOption: a Java 19+ service gets an archive it maps and re-creates
// by itself; on Java 17 it is written at exit until it exists, then
// mapped; its name changes with the jars; older archives are pruned; a
// service kinit has no archive for gets none.
func TestCDSOption(t *testing.T) {
	kafkaHome := t.TempDir()
	jars := filepath.Join(kafkaHome, "share", "java", "kafka")
	if err := os.MkdirAll(jars, 0o755); err != nil {
		t.Fatal(err)
	}
	jar := filepath.Join(jars, "kafka_2.13-3.9.2.jar")
	if err := os.WriteFile(jar, []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	svc := &macros.Service{Kind: "kafka", DataDir: data}
	svc.Service = plan.Service{ID: "kafka-broker", Argv: []string{filepath.Join(kafkaHome, "bin", "kafka-server-start")}}

	opt21, why := cdsOption(svc, []string{"JAVA_HOME=" + fakeJava(t, "21.0.4")})
	if !strings.HasPrefix(opt21, "-XX:SharedArchiveFile="+filepath.Join(data, cdsPrefix+"kafka-broker-")) ||
		!strings.HasSuffix(opt21, ".jsa -XX:+AutoCreateSharedArchive") {
		t.Errorf("Java 21: %q (%s)", opt21, why)
	}

	j17 := []string{"JAVA_HOME=" + fakeJava(t, "17.0.15")}
	first, _ := cdsOption(svc, j17)
	archive, ok := strings.CutPrefix(first, "-XX:ArchiveClassesAtExit=")
	if !ok {
		t.Fatalf("Java 17 without an archive: %q; want ArchiveClassesAtExit", first)
	}
	if err := os.WriteFile(archive, []byte("archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, _ := cdsOption(svc, j17); again != "-XX:SharedArchiveFile="+archive {
		t.Errorf("Java 17 with its archive: %q; want SharedArchiveFile=%s", again, archive)
	}

	// A new jar (another image) opens another archive; the old one goes.
	if err := os.WriteFile(jar, []byte("v2 longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(jar, time.Now(), time.Now().Add(time.Hour))
	next, _ := cdsOption(svc, j17)
	if strings.Contains(next, archive) {
		t.Fatalf("after a jar changed: %q still names %s", next, archive)
	}
	pruneCDS("-Xmx1g " + next)
	if _, err := os.Stat(archive); !os.IsNotExist(err) {
		t.Errorf("the older key's archive is still there: %v", err)
	}

	if opt, _ := cdsOption(&macros.Service{Kind: "control-center"}, j17); opt != "" {
		t.Errorf("control-center (a Go stand-in): %q", opt)
	}
	if opt, why := cdsOption(svc, []string{"JAVA_HOME=" + fakeJava(t, "1.8.0_402")}); opt != "" || why == "" {
		t.Errorf("Java 8: %q (%s); want none, with a reason", opt, why)
	}
}
