package components

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/test/kafkahome"
)

// When a Confluent install's jars are present, the start scripts run the
// real product's main class instead of the stand-in. An empty jar stands
// for the install: the JVM then names the class it was asked to load.
func TestStartScriptsPickRealProduct(t *testing.T) {
	home := kafkahome.Dir(t)
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
			cmd.Env = append(os.Environ(), "CONFLUENT_HOME="+confluent, "LOG_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.class) {
				t.Errorf("want the JVM to look for %s, got %v:\n%s", tt.class, err, out)
			}
			if strings.Contains(string(out), "stand-in") {
				t.Errorf("the stand-in ran although the product's jars are present:\n%s", out)
			}
		})
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
