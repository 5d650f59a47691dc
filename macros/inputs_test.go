package macros

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/roles"
)

// A *_FILE variable naming /dev/zero, a FIFO, a directory or a huge file
// is a problem naming the variable, at once; a link to a regular file (a
// Kubernetes Secret) is followed.
func TestSecretFileInputs(t *testing.T) {
	for _, tt := range testkit.BadInputs(t, roles.MaxSecretFileSize) {
		t.Run(tt.Name, func(t *testing.T) {
			var errs []error
			testkit.Soon(t, "MapEnv", func() {
				_, errs = MapEnv(roles.Env{"KAFKA_SSL_KEY_PASSWORD_FILE": tt.Path}, "KAFKA_", "", KnownKeys("kafka"))
			})
			want := "KAFKA_SSL_KEY_PASSWORD_FILE=" + tt.Path + ": cannot read secret file: " + tt.Want
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) {
				t.Fatalf("want %q, got %v", want, errs)
			}
		})
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "..data"), []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data", filepath.Join(dir, "password")); err != nil {
		t.Fatal(err)
	}
	m, errs := MapEnv(roles.Env{"KAFKA_SSL_KEY_PASSWORD_FILE": filepath.Join(dir, "password")}, "KAFKA_", "", KnownKeys("kafka"))
	if len(errs) != 0 || len(m.Overrides) != 1 || m.Overrides[0].Value != "pw" {
		t.Errorf("through a link: %+v %v", m.Overrides, errs)
	}
}

// templateConfig is a config rendering app.conf from dir, with the
// TOML of macros added (user macros, autogen rules).
func templateConfig(t *testing.T, dir string, macros string) *roles.Config {
	t.Helper()
	cfg, err := roles.Parse(filepath.Join(dir, "k.toml"), []byte(`
[vars]
template_dir = "@@CONFIG_DIR@@"
big = ""
`+macros+`
[roles.node]
[services.app]
command = ["/app"]
[[services.app.templates]]
src = "app.conf"
dst = "/etc/app.conf"
[configs.default.roles]
node = ["app"]
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func build(t *testing.T, cfg *roles.Config, env roles.Env) error {
	t.Helper()
	env["KINIT_FQDN"] = "a"
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Soon(t, "Build", func() { _, err = Build(n, Options{Env: env, Limits: goldenLimits}) })
	return err
}

// A template that is /dev/zero, a FIFO, a directory or too large is a
// problem at its config line, at once.
func TestTemplateInputs(t *testing.T) {
	for _, tt := range testkit.BadInputs(t, roles.MaxTemplateSize) {
		t.Run(tt.Name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Symlink(tt.Path, filepath.Join(dir, "app.conf")); err != nil {
				t.Fatal(err)
			}
			err := build(t, templateConfig(t, dir, ""), roles.Env{})
			want := filepath.Join(dir, "k.toml") + ":9: service app: cannot read template " + filepath.Join(dir, "app.conf") + ": " + tt.Want
			if err == nil || !strings.Contains(err.Error(), want) || !roles.IsConfigError(err) {
				t.Fatalf("want %q, got %v", want, err)
			}
		})
	}
}

// References that multiply, in user macros, template lines, autogen
// rules or a whole file, are refused where they grow past the limits,
// with memory that stays near them.
func TestExpansionBounded(t *testing.T) {
	kib := strings.Repeat("x", 1<<10)
	tests := []struct {
		name, macros, template string
		env                    roles.Env
		want                   string // after the test's directory; DIR stands for it
	}{
		{name: "user macros", macros: "[macros]\nA = \"" + strings.Repeat("@@B@@", 1000) + "\"\nB = \"" + strings.Repeat("@@BIG@@", 1100) + "\"",
			template: "a=1\n", env: roles.Env{"KINIT_BIG": kib}, want: "k.toml:7: macro B: expands to more than 1 MiB"},
		{name: "template line", template: "a=1\nb=" + strings.Repeat("@@BIG@@", 2000) + "\n",
			env: roles.Env{"KINIT_BIG": kib}, want: "app.conf:2: the line expands to more than 1 MiB"},
		{name: "rendered file", template: strings.Repeat(strings.Repeat("@@BIG@@", 900)+"\n", 40),
			env: roles.Env{"KINIT_BIG": kib}, want: "app.conf:19: the rendered file grows past 16 MiB here"},
		{name: "autogen", macros: "[[autogen]]\nreplace = \"app.conf\"\npattern = \"#\"\nmacro = \"BIG\"",
			template: "a=" + strings.Repeat("#", 2000) + "\n", env: roles.Env{"KINIT_BIG": kib},
			want: "app.conf:1: autogen rule (DIR/k.toml:5) # -> BIG: the line expands to more than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "app.conf"), []byte(tt.template), 0o644); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := build(t, templateConfig(t, dir, tt.macros), tt.env)
			runtime.ReadMemStats(&after)
			want := filepath.Join(dir, strings.ReplaceAll(tt.want, "DIR", dir))
			if err == nil || !strings.Contains(err.Error(), want) || !roles.IsConfigError(err) {
				t.Fatalf("want %q, got %.500v", want, err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 256<<20 {
				t.Errorf("allocated %d MiB", got>>20)
			}
		})
	}
}

// Expansions each under the limit stop once together they pass the total,
// reported once.
func TestExpansionTotal(t *testing.T) {
	sc := newScope()
	sc.set("BIG", strings.Repeat("x", 900<<10))
	var err error
	n := 0
	for ; n < 1000 && err == nil; n++ {
		_, _, err = sc.child().expand("@@BIG@@")
	}
	if err != errBudget || n != roles.MaxExpandedTotal/(900<<10)+1 {
		t.Fatalf("after %d expansions: %v", n, err)
	}
	if !sc.budget.report(err) || sc.budget.report(err) {
		t.Error("the total is not reported exactly once")
	}
}
