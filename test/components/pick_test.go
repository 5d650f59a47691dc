package components

import (
	"archive/zip"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/test/kafkahome"
)

// When a Confluent install's jars are present, the start scripts run the
// real product's main class, before Apicurio Registry or the stand-in. An
// empty jar stands for the install: the JVM then names the class it was
// asked to load.
func TestStartScriptsPickRealProduct(t *testing.T) {
	home := kafkahome.Dir(t)
	apicurio, _ := kafkahome.Apicurio(t)
	tests := []struct {
		script, jarDir, class string
	}{
		{"schema-registry-start", "share/java/schema-registry", "io.confluent.kafka.schemaregistry.rest.SchemaRegistryMain"},
		{"control-center-start", "share/java/confluent-control-center", "io.confluent.controlcenter.ControlCenter"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			confluent := t.TempDir()
			emptyJar(t, filepath.Join(confluent, tt.jarDir, "product.jar"))
			props := filepath.Join(t.TempDir(), "x.properties")
			if err := os.WriteFile(props, []byte("bootstrap.servers=127.0.0.1:1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(filepath.Join(home, "bin", tt.script), props)
			cmd.Env = append(os.Environ(), "CONFLUENT_HOME="+confluent, "APICURIO_HOME="+apicurio, "LOG_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.class) {
				t.Errorf("want the JVM to look for %s, got %v:\n%s", tt.class, err, out)
			}
			if strings.Contains(string(out), "stand-in") || strings.Contains(string(out), "quarkus") {
				t.Errorf("the stand-in or Apicurio ran although the product's jars are present:\n%s", out)
			}
		})
	}
}

// With neither Confluent's jars nor Apicurio Registry, schema-registry-start
// exits 1 naming both places it looked, before anything runs.
func TestSchemaRegistryStartWithoutARegistry(t *testing.T) {
	home := kafkahome.Dir(t)
	dir := t.TempDir()
	props := filepath.Join(dir, "schema-registry.properties")
	if err := os.WriteFile(props, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, apicurio := range []string{"", dir} {
		cmd := exec.Command(filepath.Join(home, "bin/schema-registry-start"), props)
		cmd.Env = append(os.Environ(), "CONFLUENT_HOME="+dir, "APICURIO_HOME="+apicurio)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("APICURIO_HOME=%q: %v, want exit 1\n%s", apicurio, err, out)
		}
		for _, want := range []string{dir + "/share/java/schema-registry/*.jar", "quarkus-run.jar"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("APICURIO_HOME=%q: the message does not name %s:\n%s", apicurio, want, out)
			}
		}
	}
}

func emptyJar(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := zip.NewWriter(f).Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
