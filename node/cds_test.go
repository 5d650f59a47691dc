package node

import (
	"os"
	"path/filepath"
	"slices"
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
// by itself; on Java 17 it is planned to be written at exit (cdsAtStart
// maps it once it is there); its name changes with the jars; older archives are pruned; a
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
	if again, _ := cdsOption(svc, j17); again != first {
		t.Errorf("Java 17 with its archive: %q; want the plan unchanged (%q): the start decides", again, first)
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

// TestCDSAtStart: a start maps the archive a previous run wrote, and only
// kinit's own non-empty archive; the other options stay as they were.
func TestCDSAtStart(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, cdsPrefix+"kafka-broker-0123456789abcdef.jsa")
	theirs := filepath.Join(dir, "mine.jsa")
	planned := []string{"A=1", cdsEnv + `=-Xmx1g "-Dx=a  b" ` + cdsWrite + archive}
	at := func() string { return cdsAtStart("kafka-broker", slices.Clone(planned))[1] }

	if got := at(); got != planned[1] {
		t.Errorf("no archive yet: %q; want %q", got, planned[1])
	}
	if err := os.WriteFile(archive, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := at(); got != planned[1] {
		t.Errorf("an empty archive (a run killed while writing it): %q; want it written again", got)
	}
	if err := os.WriteFile(archive, []byte("archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	if want := cdsEnv + `=-Xmx1g "-Dx=a  b" ` + cdsMap + archive; at() != want {
		t.Errorf("with the archive: %q; want %q", at(), want)
	}

	if err := os.WriteFile(theirs, []byte("archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	user := []string{cdsEnv + "=" + cdsWrite + theirs}
	if got := cdsAtStart("kafka-broker", slices.Clone(user)); got[0] != user[0] {
		t.Errorf("an archive kinit did not name: %q; want it left alone", got[0])
	}
}
