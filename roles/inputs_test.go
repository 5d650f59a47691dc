package roles

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// soon runs f in a goroutine and fails the test if it does not return: a
// read that blocks (a FIFO) is the fault under test and must not hang the
// suite. The limit is generous; nothing asserts how long f took.
func soon(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("did not return: a read blocked")
		return nil
	}
}

// badInputs are files an operator's variable may name by mistake: each is
// refused with its kind, never read without end or waited on.
func badInputs(t *testing.T, max int) []struct{ name, path, want string } {
	t.Helper()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, max+1), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	return []struct{ name, path, want string }{
		{"dev zero", "/dev/zero", "not a regular file (character device)"},
		{"link to dev zero", zero, "not a regular file (character device)"},
		{"fifo", fifo, "not a regular file (FIFO)"},
		{"directory", dir, "not a regular file (directory)"},
		{"oversize", big, "larger than "},
	}
}

// KINIT_CONFIG naming /dev/zero, a FIFO, a directory or a huge file is a
// configuration problem naming the variable, at once.
func TestConfigInputs(t *testing.T) {
	for _, tt := range badInputs(t, MaxConfigSize) {
		t.Run(tt.name, func(t *testing.T) {
			err := soon(t, func() error { _, err := LoadFrom(tt.path, EnvConfig); return err })
			want := "KINIT_CONFIG=" + tt.path + ": cannot read config: " + tt.want
			if err == nil || !strings.HasPrefix(err.Error(), want) || !IsConfigError(err) {
				t.Fatalf("want %q, got %v", want, err)
			}
		})
	}
	// A link to a regular file is followed: a ConfigMap is mounted so.
	dir := t.TempDir()
	link := filepath.Join(dir, "kinit.toml")
	if err := os.Symlink(filepath.Join(mustAbs(t, shipped)), link); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFrom(link, EnvConfig); err != nil {
		t.Errorf("through a link: %v", err)
	}
	if _, err := LoadFrom("/dev/zero", "--config"); err == nil || !strings.HasPrefix(err.Error(), "--config /dev/zero: cannot read config: not a regular file") {
		t.Errorf("--config: %v", err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The same for KINIT_NODES_FILE and the config's nodes_file, reported
// with the environment's other problems.
func TestNodesFileInputs(t *testing.T) {
	cfg := loadShipped(t)
	for _, tt := range badInputs(t, MaxNodesFileSize) {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_NODES_FILE": tt.path, "KINIT_PORT_KAFKA_BROKER": "0"}
			err := soon(t, func() error { _, err := Resolve(cfg, env); return err })
			want := "KINIT_NODES_FILE=" + tt.path + ": cannot read nodes file: " + tt.want
			if err == nil || !strings.Contains(err.Error(), want) || !IsConfigError(err) {
				t.Fatalf("want %q, got %v", want, err)
			}
			if !strings.Contains(err.Error(), "KINIT_PORT_KAFKA_BROKER") {
				t.Errorf("the other problem is not reported with it: %v", err)
			}
		})
	}
	fifo := filepath.Join(t.TempDir(), "nodes")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Parse("c.toml", []byte(`
[cluster]
nodes_file = "`+fifo+`"
[roles.node]
[services.a]
command = ["/a"]
[configs.default.roles]
node = ["a"]
`))
	if err != nil {
		t.Fatal(err)
	}
	err = soon(t, func() error { _, err := Resolve(c, Env{"KINIT_FQDN": "a"}); return err })
	if want := "c.toml:3: nodes_file " + fifo + ": cannot read nodes file: not a regular file (FIFO)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("want %q, got %v", want, err)
	}
}

// bombConfig declares vars a, b, c and d; the overrides make them repeat
// each other.
func bombConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := Parse("c.toml", []byte(`
[vars]
a = ""
b = ""
c = ""
d = "/data"
[roles.node]
[services.s]
command = ["/s", "@@A@@"]
data_dir = "@@D@@"
[configs.default.roles]
node = ["s"]
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A few KINIT_<VAR> overrides whose references multiply (a thousand of b
// in a, a thousand of c in b: a gigabyte) are refused naming the var that
// grows past the limit, with memory that stays near the limit.
func TestVarsExpansionBounded(t *testing.T) {
	cfg := bombConfig(t)
	tests := []struct {
		name string
		env  Env
		want string
	}{
		{"repeated", Env{"KINIT_A": strings.Repeat("@@B@@", 1000), "KINIT_B": strings.Repeat("@@C@@", 1000), "KINIT_C": strings.Repeat("x", 1000)},
			"KINIT_A: expands to more than 1 MiB"},
		{"deep", Env{"KINIT_A": strings.Repeat("@@B@@", 1000), "KINIT_B": strings.Repeat("@@C@@", 1000), "KINIT_C": strings.Repeat("@@D@@", 1000)},
			"KINIT_B: expands to more than 1 MiB"},
		{"cycle", Env{"KINIT_A": strings.Repeat("@@B@@", 1000), "KINIT_B": strings.Repeat("@@A@@", 1000)},
			"KINIT_A: \"@@B@@@@B@@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			env := Env{"KINIT_FQDN": "a"}
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := Resolve(cfg, env)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !IsConfigError(err) {
				t.Fatalf("want %q, got %.300v", tt.want, err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 256<<20 {
				t.Errorf("allocated %d MiB", got>>20)
			}
		})
	}
}

// Vars each under the limit are refused once together they pass the
// total.
func TestVarsExpansionTotal(t *testing.T) {
	var vars, cmd strings.Builder
	env := Env{"KINIT_FQDN": "a", "KINIT_X": strings.Repeat("x", 1<<10)}
	vars.WriteString("[vars]\nx = \"\"\n")
	for i := range 100 {
		name := "v" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		vars.WriteString(name + " = \"" + strings.Repeat("@@X@@", 900) + "\"\n")
		cmd.WriteString(", \"@@" + strings.ToUpper(name) + "@@\"")
	}
	cfg, err := Parse("c.toml", []byte(vars.String()+`
[roles.node]
[services.s]
command = ["/s"`+cmd.String()+`]
[configs.default.roles]
node = ["s"]
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Resolve(cfg, env)
	if want := "the vars together expand to more than 64 MiB"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %.300v", want, err)
	}
}
