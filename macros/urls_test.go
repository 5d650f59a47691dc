package macros

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinit/kinit/roles"
)

// A remote http wait probes each member on the port the URL's macro
// names: Apicurio's health is on the management port, not the API's.
func TestRemoteURL(t *testing.T) {
	sc := newScope()
	sc.set("PORT_SCHEMA_REGISTRY", "8081")
	sc.set("PORT_SCHEMA_REGISTRY_MANAGEMENT", "8091")
	for _, c := range []struct{ in, want string }{
		{"http://127.0.0.1:@@PORT_SCHEMA_REGISTRY_MANAGEMENT@@/health/ready", "http://sr-2:8091/health/ready"},
		{"http://127.0.0.1:@@PORT@@/apis/ccompat/v7/subjects", "http://sr-2:8081/apis/ccompat/v7/subjects"},
		{"https://localhost:7000/x", "https://sr-2:7000/x"},
		{"http://127.0.0.1/", "http://sr-2:8081/"},
		{"http://127.0.0.1:@@PORT_NOBODY@@/", "http://sr-2:8081/"},
		{"127.0.0.1:@@PORT@@", "http://sr-2:8081"},
	} {
		if got := remoteURL(c.in, "schema-registry", "sr-2", 8081, sc); got != c.want {
			t.Errorf("remoteURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := remoteURL("http://[::1]:@@PORT@@/", "schema-registry", "fd00::2", 8081, sc); got != "http://[fd00::2]:8081/" {
		t.Errorf("ipv6 member: %q", got)
	}
}

// A probe URL that is not http(s) with a host is refused at its own line
// when the node is built, beside every other problem, not later by the
// plan validator without a position.
func TestProbeURLCheckedAtItsLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kinit.toml")
	src := `[roles.node]
[services.a]
command = ["/bin/true"]
[services.a.ready]
kind = "http"
urls = ["http://127.0.0.1:1/ok",
        "ftp://127.0.0.1/x"]
[services.b]
command = ["/bin/true"]
[services.b.ready]
kind = "http"
url = "127.0.0.1:8080/no-scheme"
[configs.default.roles]
node = ["a", "b"]
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := roles.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	env := roles.Env{"KINIT_ROLE": "node", "KINIT_FQDN": "n", "KINIT_DATA_DIR": t.TempDir()}
	n, err := roles.Resolve(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(n, Options{Env: env, Limits: goldenLimits})
	if err == nil || !roles.IsConfigError(err) {
		t.Fatalf("built with bad probe urls: %v", err)
	}
	for _, want := range []string{
		path + `:7: service a ready.urls.[1]: bad url "ftp://127.0.0.1/x"`,
		path + `:12: service b ready.url: bad url "127.0.0.1:8080/no-scheme"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "/ok") {
		t.Errorf("the good url was refused too:\n%v", err)
	}
}
