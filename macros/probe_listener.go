// A Kafka listener the operator secured with KAFKA_* properties instead of
// KINIT_SECURITY: kinit's probe of that service speaks the security of the
// listener it dials, read from the rendered properties.

package macros

import (
	"cmp"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/kinit/kinit/internal/javaprops"
	kplan "github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/roles"
)

// listenerProps answers a listener's setting as Kafka does: the
// listener.name.<listener>. key first, then the broker-wide one.
type listenerProps struct {
	text, prefix string
}

func (p listenerProps) get(key string) string {
	if v, _, ok := javaprops.Get(p.text, p.prefix+key); ok {
		return strings.TrimSpace(v)
	}
	v, _, _ := javaprops.Get(p.text, key)
	return strings.TrimSpace(v)
}

// listenerOnPort finds the listener of props bound to port and its
// security protocol (listener.security.protocol.map, else the listener
// named after a protocol, as Kafka maps them by default).
func listenerOnPort(props string, port int) (name, protocol string, ok bool) {
	listeners, _, _ := javaprops.Get(props, "listeners")
	for _, l := range strings.Split(listeners, ",") {
		n, addr, found := strings.Cut(strings.TrimSpace(l), "://")
		if !found {
			continue
		}
		_, p, err := net.SplitHostPort(addr)
		if err != nil || p != strconv.Itoa(port) {
			continue
		}
		name = strings.ToUpper(n)
		protocol = name
		m, _, _ := javaprops.Get(props, "listener.security.protocol.map")
		for _, pair := range strings.Split(m, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(pair), ":"); ok && strings.EqualFold(k, name) {
				protocol = strings.ToUpper(strings.TrimSpace(v))
			}
		}
		return name, protocol, true
	}
	return "", "", false
}

// probeFromProperties gives the kafka probe of s, on a node kinit does not
// secure, the security of the listener it dials when the operator's
// properties secured it: TLS with the PEM truststore they name (the
// node's FQDN verified), the listener's client certificate where it
// requires one, and SASL as KINIT_ADMIN_USER with the password in
// KINIT_ADMIN_PASSWORD_FILE. What the probe cannot speak is an error
// naming the property or variable to set, before anything starts.
func (b *builder) probeFromProperties(s *roles.Service, svc *Service, props string) {
	p := svc.Probe
	// A ZooKeeper-mode broker's probe reads ZooKeeper, not the listener.
	if b.sec != nil || p == nil || p.Kind != kplan.ProbeKafka || !p.Mode.KRaft() || p.Security != nil || props == "" {
		return
	}
	_, port, err := net.SplitHostPort(p.Address)
	pn, _ := strconv.Atoi(port)
	if err != nil {
		return
	}
	name, protocol, ok := listenerOnPort(props, pn)
	if !ok || protocol == "PLAINTEXT" {
		return
	}
	n := b.node
	lp := listenerProps{text: props, prefix: "listener.name." + strings.ToLower(name) + "."}
	bad := func(format string, args ...any) {
		b.errs.Add("", 0, "service %s: kinit's readiness probe dials listener %s (%s) on port %d: "+format,
			append([]any{s.ID, name, protocol, pn}, args...)...)
	}
	sec := &kplan.Security{}
	if strings.HasSuffix(protocol, "SSL") {
		sec.TLS = &kplan.TLS{ServerName: n.FQDN}
		loc, typ := lp.get("ssl.truststore.location"), lp.get("ssl.truststore.type")
		switch {
		case loc == "":
			// Kafka's default: the JVM's roots; the probe's: the system's.
		case !strings.EqualFold(typ, "PEM"):
			bad("its truststore %s is %s, and the probe reads PEM only: set ssl.truststore.type=PEM (a CA certificate file), or KINIT_SECURITY=sasl_ssl", loc, cmp.Or(typ, "JKS (the default)"))
		default:
			sec.TLS.CAFile = loc
		}
		if strings.EqualFold(lp.get("ssl.client.auth"), "required") {
			ks, kt := lp.get("ssl.keystore.location"), lp.get("ssl.keystore.type")
			if ks == "" || !strings.EqualFold(kt, "PEM") {
				bad("it requires a client certificate, which the probe takes from a PEM keystore (ssl.keystore.type=PEM, key and chain in ssl.keystore.location)")
			} else {
				sec.TLS.CertFile, sec.TLS.KeyFile = ks, ks
			}
		}
	}
	if strings.HasPrefix(protocol, "SASL_") {
		mech, ok := probeMechanism(lp.get("sasl.enabled.mechanisms"))
		switch {
		case !ok:
			bad("none of its SASL mechanisms (sasl.enabled.mechanisms=%s) is one the probe speaks (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN)", cmp.Or(lp.get("sasl.enabled.mechanisms"), "GSSAPI, the default"))
		case n.Security.AdminPasswordFile == "":
			bad("set %s (and %s, default %s) to the user and password file the probe logs in with", roles.EnvAdminPasswordFile, roles.EnvAdminUser, roles.DefaultAdminUser)
		default:
			sec.SASL = &kplan.SASL{Mechanism: mech, Username: n.Security.AdminUser, PasswordFile: n.Security.AdminPasswordFile}
		}
	}
	p.Security = sec
}

// probeMechanism picks, from a listener's enabled mechanisms, the one the
// probe prefers among those it speaks.
func probeMechanism(enabled string) (kplan.SASLMechanism, bool) {
	var have []kplan.SASLMechanism
	for _, m := range strings.Split(enabled, ",") {
		if pm, err := kplan.ParseSASLMechanism(strings.TrimSpace(m)); err == nil {
			have = append(have, pm)
		}
	}
	for _, want := range kplan.SASLMechanisms {
		for _, h := range have {
			if h == want {
				return h, true
			}
		}
	}
	return "", false
}

// tlsListeners are the listeners of props that serve TLS, the controller
// listeners (controller.listener.names) left out.
func tlsListeners(props string) []string {
	controllers, _, _ := javaprops.Get(props, "controller.listener.names")
	listeners, _, _ := javaprops.Get(props, "listeners")
	var out []string
	for _, l := range strings.Split(listeners, ",") {
		n, addr, found := strings.Cut(strings.TrimSpace(l), "://")
		if !found {
			continue
		}
		_, port, err := net.SplitHostPort(addr)
		p, _ := strconv.Atoi(port)
		if err != nil || slices.ContainsFunc(strings.Split(controllers, ","), func(c string) bool { return strings.EqualFold(strings.TrimSpace(c), n) }) {
			continue
		}
		if _, protocol, ok := listenerOnPort(props, p); ok && strings.HasSuffix(protocol, "SSL") {
			out = append(out, strings.ToUpper(n))
		}
	}
	return out
}
