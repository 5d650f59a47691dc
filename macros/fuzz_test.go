package macros

import (
	"os"
	"strings"
	"testing"

	"github.com/kinit/kinit/internal/javaprops"
	"github.com/kinit/kinit/roles"
)

func fuzzScope() *scope {
	sc := newScope()
	sc.set("GET_NODE_FQDN", "zk-1.example")
	sc.set("UNIQUE_SELF_NODE_INT", "1")
	sc.set("ZOOKEEPER_ENSEMBLE", "server.1=a:2888:3888\\nserver.2=b:2888:3888")
	sc.set("EMPTY", "")
	sc.missing("KAFKA_BOOTSTRAP_SERVERS", "no kafka")
	return sc
}

// FuzzRenderTemplate: template expansion never panics, and output that
// rendered without errors holds no "@@".
func FuzzRenderTemplate(f *testing.F) {
	for _, name := range []string{"myid", "server.properties", "zookeeper.properties", "schema-registry.properties", "control-center.properties"} {
		if data, err := os.ReadFile("../rootfs/etc/kinit/templates/" + name); err == nil {
			f.Add(string(data), "@@HOST@@")
		}
	}
	f.Add("a=@@GET_NODE_FQDN@@@@", "@@ID@@")
	f.Add("@@@@ID@@@@", "@@ID@@")
	f.Add("x=@@KAFKA_BOOTSTRAP_SERVERS@@\n@@", "@")
	rules := func(p string) []roles.Autogen {
		return []roles.Autogen{{Replace: "t", Pattern: p, Macro: "UNIQUE_SELF_NODE_INT"}, {Replace: "t", Pattern: "@@HOST@@", Macro: "GET_NODE_FQDN"}}
	}
	f.Fuzz(func(t *testing.T, text, pattern string) {
		if strings.ContainsAny(pattern, "\n\r") {
			return // the loader rejects such patterns
		}
		out, errs, _ := renderText("t", text, rules(pattern), fuzzScope(), "k.toml")
		if len(errs) == 0 && strings.Contains(out, "@@") {
			t.Fatalf("rendered %q without error but left @@: %q", text, out)
		}
		for _, e := range errs {
			if re, ok := e.(*roles.Error); !ok || re.Line < 1 {
				t.Fatalf("error without a line: %v", e)
			}
		}
	})
}

// FuzzMapEnv: env mapping never panics; launcher variables never become
// properties; every written override reads back as its own key.
func FuzzMapEnv(f *testing.F) {
	for _, s := range []string{"KAFKA_ADVERTISED_LISTENERS", "KAFKA_HEAP_OPTS", "KAFKA_LISTENER_NAME_X_SSL___KEY", "KAFKA_A__B",
		"KAFKA_PORT_9092_TCP", "KAFKA_SSL_KEY_PASSWORD_FILE", "KAFKA_", "KAFKA_JMX_PORT", "KAFKA____"} {
		f.Add(s, "PLAINTEXT://host:9092")
	}
	f.Add("KAFKA_X", " lead\\ing\n\u00e9=:#!")
	f.Fuzz(func(t *testing.T, name, value string) {
		env := roles.Env{name: value}
		m, _ := MapEnv(env, "KAFKA_", "", KnownKeys("kafka"))
		for _, o := range m.Overrides {
			rest := strings.TrimPrefix(o.Var, "KAFKA_")
			if launcherVars().Has(rest) {
				t.Fatalf("launcher variable %s became property %s", o.Var, o.Key)
			}
			text := ApplyOverrides("# c\n", []Override{o})
			lines := javaprops.Lines(text)
			if len(lines) != 2 || lines[1].Key != o.Key {
				t.Fatalf("override %q=%q wrote %q, which reads back as %+v", o.Key, o.Value, text, lines)
			}
		}
	})
}
