package macros

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/roles"
)

func TestPropertyKey(t *testing.T) {
	for in, want := range map[string]string{
		"ADVERTISED_LISTENERS":                       "advertised.listeners",
		"LISTENER_SECURITY_PROTOCOL_MAP":             "listener.security.protocol.map",
		"CONFLUENT_SUPPORT_METRICS__ENABLE":          "confluent.support.metrics_enable",
		"LISTENER_NAME_INTERNAL_SSL___KEYSTORE_TYPE": "listener.name.internal.ssl-keystore.type",
		"A____B":                 "a-.b",
		"LOG_DIRS":               "log.dirs",
		"CLIENT_PORT":            "client.port",
		"4LW_COMMANDS_WHITELIST": "4lw.commands.whitelist",
	} {
		if got := PropertyKey(in); got != want {
			t.Errorf("PropertyKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMapEnv(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(secret, []byte("s3cr3t-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := roles.Env{
		"KAFKA_ADVERTISED_LISTENERS":              "PLAINTEXT://b-1.example:9092,INTERNAL://b-1:19092",
		"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP":    "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
		"KAFKA_CONFLUENT_SUPPORT_METRICS__ENABLE": "false",
		"KAFKA_LISTENER_NAME_INTERNAL_SSL___X":    "y",
		"KAFKA_SSL_KEYSTORE_PASSWORD_FILE":        secret,
		"KAFKA_LISTNERS":                          "typo",
		// launcher variables: never properties
		"KAFKA_HEAP_OPTS": "-Xmx1g", "KAFKA_OPTS": "-Dx=1", "KAFKA_JMX_PORT": "9999", "KAFKA_JMX_OPTS": "-D",
		"KAFKA_LOG4J_OPTS": "-Dlog4j", "KAFKA_LOG4J_ROOT_LOGLEVEL": "WARN", "KAFKA_JVM_PERFORMANCE_OPTS": "-server",
		"KAFKA_GC_LOG_OPTS": "x", "KAFKA_DEBUG": "y", "KAFKA_VERSION": "3.9.2",
		// Kubernetes service links
		"KAFKA_PORT": "tcp://10.0.0.1:9092", "KAFKA_SERVICE_HOST": "10.0.0.1", "KAFKA_SERVICE_PORT": "9092",
		"KAFKA_SERVICE_PORT_PLAINTEXT": "9092", "KAFKA_PORT_9092_TCP": "tcp://10.0.0.1:9092",
		"KAFKA_PORT_9092_TCP_ADDR": "10.0.0.1", "KAFKA_PORT_9092_TCP_PROTO": "tcp", "KAFKA_PORT_9092_TCP_PORT": "9092",
		"KAFKA_HEADLESS_SERVICE_HOST": "10.0.0.2",
		// other services' variables
		"ZOOKEEPER_CLIENT_PORT": "2181", "KAFKAX": "1",
	}
	m, errs := MapEnv(env, "KAFKA_", "", KnownKeys("kafka"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := map[string]Override{}
	for _, o := range m.Overrides {
		got[o.Key] = o
	}
	want := map[string]string{
		"advertised.listeners":             "PLAINTEXT://b-1.example:9092,INTERNAL://b-1:19092",
		"listener.security.protocol.map":   "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
		"confluent.support.metrics_enable": "false",
		"listener.name.internal.ssl-x":     "y",
		"ssl.keystore.password":            "s3cr3t-from-file",
		"listners":                         "typo",
	}
	if len(got) != len(want) {
		t.Errorf("overrides %v, want keys %v", m.Overrides, want)
	}
	for k, v := range want {
		if got[k].Value != v {
			t.Errorf("%s = %q, want %q", k, got[k].Value, v)
		}
	}
	if !got["ssl.keystore.password"].Secret || got["ssl.keystore.password"].File != secret {
		t.Errorf("secret from file not marked: %+v", got["ssl.keystore.password"])
	}
	warned := strings.Join(m.Warnings, "\n")
	if !strings.Contains(warned, `KAFKA_LISTNERS sets "listners", which is not a known property`) {
		t.Errorf("no typo warning: %v", m.Warnings)
	}
	if strings.Contains(warned, "advertised") {
		t.Errorf("known key warned about: %v", m.Warnings)
	}
	if len(m.Ignored) != 19 {
		t.Errorf("ignored %d variables, want 19: %v", len(m.Ignored), m.Ignored)
	}
}

func TestMapEnvZooKeeperSpelling(t *testing.T) {
	env := roles.Env{"ZOOKEEPER_CLIENT_PORT": "2181", "ZOOKEEPER_TICK_TIME": "3000", "ZOOKEEPER_ADMIN_ENABLE_SERVER": "true",
		"ZOOKEEPER_4LW_COMMANDS_WHITELIST": "*", "ZOOKEEPER_SERVER_1": "x"}
	m, errs := MapEnv(env, "ZOOKEEPER_", "", KnownKeys("zookeeper"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var keys []string
	for _, o := range m.Overrides {
		keys = append(keys, o.Key)
	}
	if strings.Join(keys, " ") != "4lw.commands.whitelist admin.enableServer clientPort server.1 tickTime" {
		t.Errorf("keys %v", keys)
	}
}

func TestMapEnvControlCenterPrefix(t *testing.T) {
	env := roles.Env{"CONTROL_CENTER_BOOTSTRAP_SERVERS": "b:9092", "CONTROL_CENTER_STREAMS_NUM_STREAM_THREADS": "4",
		"CONTROL_CENTER_HEAP_OPTS": "-Xmx1g"}
	m, _ := MapEnv(env, "CONTROL_CENTER_", "confluent.controlcenter.", KnownKeys("control-center"))
	var keys []string
	for _, o := range m.Overrides {
		keys = append(keys, o.Key)
	}
	if strings.Join(keys, " ") != "bootstrap.servers confluent.controlcenter.streams.num.stream.threads" {
		t.Errorf("keys %v", keys)
	}
}

func TestMapEnvErrors(t *testing.T) {
	for _, tt := range []struct {
		env  roles.Env
		want string
	}{
		{roles.Env{"KAFKA_SSL_KEY_PASSWORD_FILE": "/nonexistent/pw"}, "KAFKA_SSL_KEY_PASSWORD_FILE=/nonexistent/pw: cannot read secret file: no such file or directory"},
		{roles.Env{"KAFKA_SSL_KEY_PASSWORD_FILE": "/dev/null", "KAFKA_SSL_KEY_PASSWORD": "x"}, "are both set"},
		{roles.Env{"KAFKA_LOG_DIRS": "/a", "KAFKA_LOG_DIRS_FILE": "/dev/null"}, "are both set"},
	} {
		_, errs := MapEnv(tt.env, "KAFKA_", "", KnownKeys("kafka"))
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), tt.want) {
			t.Errorf("%v: want %q, got %v", tt.env, tt.want, errs)
		}
	}
}

func TestApplyOverrides(t *testing.T) {
	text := "# header\nbroker.id=1\n! bang comment\nlisteners = PLAINTEXT://:9092\nlog.dirs=/a,\\\n  /b\nbroker.id=1\n"
	got := ApplyOverrides(text, []Override{
		{Key: "broker.id", Value: "7"},
		{Key: "log.dirs", Value: "/c"},
		{Key: "sasl.jaas.config", Value: "x required\nusername=\"é\" ;"},
		{Key: "odd key=", Value: " leading space"},
	})
	want := "# header\nbroker.id=7\n! bang comment\nlisteners = PLAINTEXT://:9092\nlog.dirs=/c\nbroker.id=7\n" +
		"sasl.jaas.config=x required\\nusername=\"\\u00e9\" ;\n" +
		"odd\\ key\\==\\ leading space\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// What we write reads back as the same key.
	for _, l := range javaprops.Lines(got) {
		if strings.HasPrefix(l.Raw, "odd") && l.Key != "odd key=" {
			t.Errorf("escaped key reads back as %q", l.Key)
		}
	}
}

func TestMasking(t *testing.T) {
	for name, secret := range map[string]bool{
		"ssl.keystore.password": true, "sasl.jaas.config": true, "KINIT_ES_API_KEY": true, "basic.auth.user.info": true,
		"ssl.keystore.location": false, "key.converter": false, "advertised.listeners": false, "ssl.key.password": true,
	} {
		if IsSecretKey(name) != secret {
			t.Errorf("IsSecretKey(%q) = %v", name, !secret)
		}
	}
	var m Masker
	m.Add("topsecretvalue")
	got := m.Properties("a=1\nssl.truststore.password=abc\nnote=topsecretvalue inside\n")
	if got != "a=1\nssl.truststore.password=******\nnote=****** inside\n" {
		t.Errorf("masked:\n%s", got)
	}
}
