package roles

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
)

// KINIT_CONFIG naming /dev/zero, a FIFO, a directory or a huge file is a
// configuration problem naming the variable, at once.
func TestConfigInputs(t *testing.T) {
	for _, tt := range testkit.BadInputs(t, MaxConfigSize) {
		t.Run(tt.Name, func(t *testing.T) {
			var err error
			testkit.Soon(t, "LoadFrom", func() { _, err = LoadFrom(tt.Path, EnvConfig) })
			want := "KINIT_CONFIG=" + tt.Path + ": cannot read config: " + tt.Want
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
	for _, tt := range testkit.BadInputs(t, MaxNodesFileSize) {
		t.Run(tt.Name, func(t *testing.T) {
			env := Env{"KINIT_ROLE": "broker", "KINIT_FQDN": "a", "KINIT_NODES_FILE": tt.Path, "KINIT_PORT_KAFKA_BROKER": "0"}
			_, err := resolveSoon(t, cfg, env)
			want := "KINIT_NODES_FILE=" + tt.Path + ": cannot read nodes file: " + tt.Want
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
	_, err = resolveSoon(t, c, Env{"KINIT_FQDN": "a"})
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
