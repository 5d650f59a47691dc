package components

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The daemons' GC log goes to stdout (kinit's bounded output, the
// runtime's rotated log), never to a file in LOG_DIR: /var/log/kafka is no
// volume, and the distribution's 10 x 100 MB per JVM grew the container's
// writable layer. KAFKA_GC_LOG_OPTS still decides when set, empty meaning
// none; tools log no GC. A java that prints its arguments stands for the
// JVM, so every launcher's command line is read as it would run.
func TestGCLogOnStdout(t *testing.T) {
	rootfs, err := filepath.Abs("../../rootfs/usr/lib")
	if err != nil {
		t.Fatal(err)
	}
	java, home := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(java, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(java, "bin/java"), []byte("#!/bin/sh\nprintf '%s\\n' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, "libs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "libs/kafka.jar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const stdout = "-Xlog:gc:stdout:time,level,tags"
	tests := []struct {
		launcher string
		env      []string // KAFKA_GC_LOG_OPTS, when set
		want     []string // the GC options on the command line
	}{
		{"kafka/bin/kafka-server-start", nil, []string{stdout}},
		{"kafka/bin/zookeeper-server-start", nil, []string{stdout}},
		{"kafka4/bin/kafka-server-start", nil, []string{stdout}},
		{"kafka/bin/kafka-topics", nil, nil},
		{"kafka/bin/kafka-server-start", []string{"KAFKA_GC_LOG_OPTS=-Xlog:gc*:file=/v/gc.log:time:filecount=2,filesize=10M"},
			[]string{"-Xlog:gc*:file=/v/gc.log:time:filecount=2,filesize=10M"}},
		{"kafka/bin/kafka-server-start", []string{"KAFKA_GC_LOG_OPTS="}, nil},
	}
	for _, tt := range tests {
		cmd := exec.Command(filepath.Join(rootfs, tt.launcher), "server.properties")
		cmd.Env = append([]string{"PATH=/usr/bin:/bin", "JAVA_HOME=" + java, "KAFKA_HOME=" + home, "LOG_DIR=" + t.TempDir()}, tt.env...)
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s %v: %v", tt.launcher, tt.env, err)
			continue
		}
		var gc []string
		for _, arg := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if strings.HasPrefix(arg, "-Xlog") || strings.HasPrefix(arg, "-Xloggc") || strings.Contains(arg, "-gc.log") {
				gc = append(gc, arg)
			}
		}
		if !slices.Equal(gc, tt.want) {
			t.Errorf("%s %v: GC options %q, want %q", tt.launcher, tt.env, gc, tt.want)
		}
	}
}
