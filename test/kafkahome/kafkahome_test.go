package kafkahome

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionMatchesPOM(t *testing.T) {
	v, err := Version()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "3.9.") {
		t.Errorf("kafka version %q: the tests need a 3.9.x broker (the last line with ZooKeeper mode)", v)
	}
}

// The cache `make kafka` lays out runs real Java tools through the
// launchers: the broker and ZooKeeper classes load from share/java/kafka.
func TestHomeRunsTools(t *testing.T) {
	home := Dir(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bin/kafka-topics", "--version"}, "3.9."},
		{[]string{"bin/kafka-run-class", "kafka.Kafka", "--version"}, "3.9."},
		{[]string{"bin/kafka-run-class", "org.apache.zookeeper.version.VersionInfoMain"}, "3.8."},
	} {
		cmd := exec.Command(filepath.Join(home, tt.args[0]), tt.args[1:]...)
		cmd.Env = append(os.Environ(), JVMEnv()...)
		cmd.Env = append(cmd.Env, "LOG_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("%v: %v\n%s", tt.args, err, out)
		}
	}
}

// The launchers find their home through KAFKA_HOME, from a bin/ elsewhere,
// and in the Apache tarball layout (libs/, config/).
func TestLauncherLayouts(t *testing.T) {
	home := Dir(t)
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	apache := t.TempDir()
	if err := os.Symlink(filepath.Join(home, "share/java/kafka"), filepath.Join(apache, "libs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(apache, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "rootfs/usr/lib/kafka/bin/kafka-run-class")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(apache, "bin/kafka-run-class"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		bin  string
		env  []string
		ok   bool
	}{
		{"apache layout copy", filepath.Join(apache, "bin/kafka-run-class"), nil, true},
		{"rootfs with KAFKA_HOME", src, []string{"KAFKA_HOME=" + home}, true},
		{"rootfs alone has no jars", src, nil, false},
		{"KAFKA_HOME without jars", src, []string{"KAFKA_HOME=" + t.TempDir()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(tt.bin, "kafka.Kafka", "--version")
			cmd.Env = append(append(os.Environ(), JVMEnv()...), "LOG_DIR="+t.TempDir())
			cmd.Env = append(cmd.Env, tt.env...)
			out, err := cmd.CombinedOutput()
			if ok := err == nil && strings.Contains(string(out), "3.9."); ok != tt.ok {
				t.Errorf("ran ok=%v, want %v: %v\n%s", ok, tt.ok, err, out)
			}
			if !tt.ok && !strings.Contains(string(out), "kafka-run-class: ") {
				t.Errorf("failure without the launcher's message:\n%s", out)
			}
		})
	}
}
