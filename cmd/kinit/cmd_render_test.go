package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// captureStderr runs f with os.Stderr captured (and stdout discarded) and
// returns what it wrote to stderr.
func captureStderr(t *testing.T, f func() int) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old, oldOut := os.Stderr, os.Stdout
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	os.Stderr, os.Stdout = w, devnull
	done := make(chan string)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				done <- b.String()
				return
			}
		}
	}()
	code := f()
	os.Stderr, os.Stdout = old, oldOut
	w.Close()
	return code, <-done
}

func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range []string{"KINIT_ROLE", "KINIT_CONFIG_ID", "KINIT_NODE_ID", "KINIT_FQDN", "KINIT_NODES", "KINIT_NODES_FILE", "KINIT_FLAVOR"} {
		t.Setenv(k, "")
	}
	// Variables that change what is rendered must be really unset, not empty.
	for _, k := range []string{"KAFKA_HEAP_OPTS", "KAFKA_OPTS", "LOG_DIR", "KINIT_CGROUP_ROOT"} {
		if old, ok := os.LookupEnv(k); ok {
			os.Unsetenv(k)
			t.Cleanup(func() { os.Setenv(k, old) })
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// TestRenderDoneWhen is the acceptance: a ZooKeeper node of a
// three-member ensemble rendered from the shipped config.
func TestRenderDoneWhen(t *testing.T) {
	out := t.TempDir()
	setEnv(t, map[string]string{
		"KINIT_CONFIG": "../../rootfs/etc/kinit/kinit.toml", "KINIT_ROLE": "zookeeper", "KINIT_NODE_ID": "3",
		"KINIT_FQDN": "zk-3.example", "KINIT_NODES": "zookeeper=zk-1.example,zk-2.example,zk-3.example",
		"KINIT_DATA_DIR": filepath.Join(t.TempDir(), "data"), "KINIT_FLAVOR": "small",
	})
	code, stderr := captureStderr(t, func() int { return cmdRender([]string{"--out", out}) })
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var myid, props []byte
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		switch filepath.Base(p) {
		case "myid":
			myid, _ = os.ReadFile(p)
		case "zookeeper.properties":
			props, _ = os.ReadFile(p)
		}
		return nil
	})
	if string(myid) != "3\n" {
		t.Errorf("myid = %q, want \"3\\n\"", myid)
	}
	for _, want := range []string{"zk-3.example", "server.1=zk-1.example:2888:3888", "server.2=zk-2.example:2888:3888", "server.3=zk-3.example:2888:3888"} {
		if !strings.Contains(string(props), want) {
			t.Errorf("zookeeper.properties lacks %q:\n%s", want, props)
		}
	}
	// render must not persist the id on the data volume.
	if entries, _ := os.ReadDir(os.Getenv("KINIT_DATA_DIR")); len(entries) != 0 {
		t.Errorf("render wrote to the data volume: %v", entries)
	}
}

// TestRenderErrors checks that broken configs and templates report every
// problem with file:line, exit 78 and write nothing.
func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		config string
		want   []string
	}{
		{name: "broken config", config: "../../roles/testdata/bad/many.toml", want: []string{
			"many.toml:16: service \"app\" waits for unknown service \"nope\"",
			"many.toml:42: role \"node\": bad cardinality \"many\"",
		}},
		{name: "bad template", config: "testdata/render/badtemplate.toml", env: map[string]string{"KINIT_FQDN": "a", "KINIT_FLAVOR": ""},
			want: []string{
				"templates/bad.conf:3: unknown macro @@NO_SUCH_MACRO@@",
				"templates/bad.conf:4: unresolved @@ left in output",
				"templates/bad.conf:5: macro ZOOKEEPER_SERVICE_STRING has no value on this node: config \"default\" runs no service of kind zookeeper",
				"badtemplate.toml:19: service app: template missing.conf not found",
			}},
		{name: "over-provisioned", config: "../../rootfs/etc/kinit/kinit.toml", env: map[string]string{
			"KINIT_ROLE": "zookeeper", "KINIT_FQDN": "zk", "KINIT_CGROUP_ROOT": "/nonexistent", "KINIT_FLAVOR": "small",
			"KINIT_NODES": "zookeeper=zk", "KINIT_PORT_KAFKA_BROKER": "2181"},
			want: []string{"port 2181 is used by both zookeeper and kafka-broker on this node"}},
		{name: "heap below minimum", config: "testdata/render/sizing.toml", env: map[string]string{
			"KINIT_FQDN": "a", "KINIT_CGROUP_ROOT": "/nonexistent"},
			want: []string{"sizing.toml:16: service app: heap 64 MiB (share 50% x memory 256 MiB from flavor tiny x heap ratio 0.5) is below its heap_min 512 MiB"}},
		{name: "shares over the limit", config: "testdata/render/greedy.toml", env: map[string]string{
			"KINIT_FQDN": "a", "KINIT_CGROUP_ROOT": "/nonexistent"},
			want: []string{`greedy.toml:12: config "default": role "node": memory shares add up to 110% (app 50% + sidecar 60%), more than 100% of the container memory limit`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"KINIT_CONFIG": tt.config, "KINIT_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			setEnv(t, env)
			out := t.TempDir()
			code, stderr := captureStderr(t, func() int { return cmdRender([]string{"--out", out}) })
			if code != exitConfig {
				t.Errorf("exit %d, want %d", code, exitConfig)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("output dir not untouched: %v", entries)
			}
			code, _ = captureStderr(t, func() int { return cmdCheck([]string{"--no-files"}) })
			if code != exitConfig {
				t.Errorf("check exit %d, want %d", code, exitConfig)
			}
		})
	}
}
