package macros

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/roles"
)

// A bad broker value set from the environment is a config error naming the
// variable, all of them at once, before anything is written.
func TestEnvValuesChecked(t *testing.T) {
	cfg, err := roles.Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	env := roles.Env{"KINIT_CONFIG_ID": "standalone", "KINIT_FQDN": "s", "KINIT_DATA_DIR": t.TempDir(),
		"KAFKA_LOG_RETENTION_HOURS": "-5x", "KAFKA_NUM_IO_THREADS": "0", "KAFKA_COMPRESSION_TYPE": "zip",
		"KAFKA_LOG_RETENTION_MS": "${file:/s:k}", "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "TRUE"}
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Env: env, Limits: goldenLimits})
	if !roles.IsConfigError(err) {
		t.Fatalf("Build error = %v, want config errors", err)
	}
	got := err.Error()
	for _, want := range []string{
		`KAFKA_LOG_RETENTION_HOURS sets log.retention.hours to "-5x": not a number of type INT`,
		`KAFKA_NUM_IO_THREADS sets num.io.threads to "0": below the minimum 1`,
		`KAFKA_COMPRESSION_TYPE sets compression.type to "zip": "zip" is not one of`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
	for _, ok := range []string{"KAFKA_LOG_RETENTION_MS", "KAFKA_AUTO_CREATE_TOPICS_ENABLE"} {
		if strings.Contains(got, ok) {
			t.Errorf("%s is valid (or resolved later) but reported:\n%s", ok, got)
		}
	}
}

func TestCheckValue(t *testing.T) {
	rules := valueRules("kafka")
	for _, c := range []struct{ key, v, want string }{
		{"log.retention.hours", " 168", ""},
		{"log.retention.hours", "99999999999", "not a number of type INT"},
		{"log.cleaner.min.cleanable.ratio", "1.5", "above the maximum 1"},
		{"log.cleanup.policy", "compact, delete", ""},
		{"log.cleanup.policy", "compact,remove", `"remove" is not one of compact, delete`},
		{"group.consumer.migration.policy", "upgrade", ""},
		{"alter.config.policy.class.name", "not a class!", "not a Java class name (CLASS)"},
	} {
		if got := checkValue(rules, c.key, c.v); got != c.want {
			t.Errorf("checkValue(%s, %q) = %q, want %q", c.key, c.v, got, c.want)
		}
	}
}

// A bad value in a properties template is reported at its template line,
// with the value after macro expansion, and stops the build (exit 78).
func TestTemplateValueAtLine(t *testing.T) {
	dir := t.TempDir()
	tmpl := "broker.id=1\n# a comment\nlog.retention.hours=-5x\nnum.network.threads=@@THREADS@@\n"
	if err := os.WriteFile(filepath.Join(dir, "server.properties"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := roles.Parse(filepath.Join(dir, "k.toml"), []byte(`
[vars]
template_dir = "@@CONFIG_DIR@@"
threads = "lots"
[roles.node]
[services.kafka-broker]
kind = "kafka"
command = ["/kafka"]
data_dir = "/d"
[[services.kafka-broker.templates]]
src = "server.properties"
dst = "/etc/kafka/server.properties"
properties = true
[configs.default.roles]
node = ["kafka-broker"]
`))
	err = buildErr(t, cfg, err)
	src := filepath.Join(dir, "server.properties")
	for _, want := range []string{src + `:3: log.retention.hours = "-5x"`, src + `:4: num.network.threads = "lots"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	if err != nil && !roles.IsConfigError(err) {
		t.Errorf("not a configuration error (exit 78): %v", err)
	}
}
