package macros

import "testing"

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
