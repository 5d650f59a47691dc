package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/test/nethost"
)

// TestZooKeeperSecure: a secured ZooKeeper-mode node (Kafka 3.9, the
// standalone config: ZooKeeper, broker, registry, Control Center stand-in)
// with a development CA. The one-shot stores the admin user in ZooKeeper
// before the broker's first start, every service is ready through probes
// that authenticate (ZooKeeper's over mutual TLS), kcat round-trips over
// SASL_SSL as the admin and as a tenant (the ZooKeeper-mode authorizer
// refuses the tenant another's topic), ZooKeeper serves no
// plaintext and no client without a certificate of the CA, the broker
// refuses plaintext and a wrong password, a broker killed with SIGKILL
// comes back ready (its stale-registration gate reads ZooKeeper over
// TLS), and the password is in no output and no status.
func TestZooKeeperSecure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"zks-1"}})
	h := c.Hosts[0]
	mark := milestones(t)

	tls := filepath.Join(h.Dir, "tls")
	if err := tlsdir.NewCA(tls, "kinit test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	const password = "zk-Admin-s3cret"
	pw := filepath.Join(h.Dir, "admin.password")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Tenant alice owns the topics kinit-zk-users*: the ZooKeeper-mode
	// authorizer (AclAuthorizer, its ACLs in ZooKeeper over TLS) lets her
	// there and nowhere else.
	alicePW := filepath.Join(h.Dir, "alice.password")
	tenants := filepath.Join(h.Dir, "tenants.toml")
	if os.WriteFile(alicePW, []byte("alice-zk-pw\n"), 0o600) != nil ||
		os.WriteFile(tenants, []byte("[tenants.alice]\npassword_file = \""+alicePW+"\"\ntopics = [\"kinit-zk-users\"]\n"), 0o644) != nil {
		t.Fatal("cannot write the tenants file")
	}
	n := newNode(t, c, h, "KINIT_CONFIG_ID=standalone", "KINIT_SECURITY=sasl_ssl", "KINIT_TLS_DIR="+tls,
		"KINIT_ADMIN_PASSWORD_FILE="+pw, "KINIT_TENANTS_FILE="+tenants)
	n.start(t)
	st := n.waitReady(ctx, t)
	if sv := st.service("kafka-scram-admin"); sv.State != "done" {
		t.Errorf("the admin user's one-shot: %+v; want done", sv)
	}
	mark("secured ZooKeeper-mode node ready through authenticated probes")

	// ZooKeeper: TLS only, and only for a client the CA vouches for.
	zkAddr := h.Addr.String() + ":2181"
	own := &plan.TLS{CAFile: filepath.Join(tls, "ca.crt"), CertFile: filepath.Join(tls, "tls.crt"), KeyFile: filepath.Join(tls, "tls.key"), ServerName: h.FQDN}
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	if reply, err := probe.FourLetterTLS(actx, zkAddr, "ruok", own); err != nil || strings.TrimSpace(reply) != "imok" {
		t.Errorf("ruok over TLS with the node's certificate: %q, %v", reply, err)
	}
	acancel()
	noCert := &plan.TLS{CAFile: own.CAFile, ServerName: h.FQDN}
	for name, p := range map[string]probe.Prober{
		"plaintext":                 probe.ZooKeeper{Addr: zkAddr},
		"TLS without a certificate": probe.ZooKeeper{Addr: zkAddr, TLS: noCert},
	} {
		actx, acancel := context.WithTimeout(ctx, 10*time.Second)
		if err := p.Check(actx); err == nil {
			t.Errorf("ZooKeeper answered a client speaking %s", name)
		}
		acancel()
	}
	mark("ZooKeeper serves mutual TLS only")

	ca := filepath.Join(tls, "ca.crt")
	bootstrap := h.FQDN + ":9092"
	if out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "admin", password, "over zookeeper\n", "-P", "-t", "kinit-zk-secure"); err != nil {
		t.Fatalf("kcat -P as admin over SASL_SSL: %v\n%s", err, out)
	}
	out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "admin", password, "", "-C", "-t", "kinit-zk-secure", "-o", "beginning", "-c", "1", "-e")
	if err != nil || !strings.Contains(out, "over zookeeper") {
		t.Fatalf("kcat -C as admin: %v\n%s", err, out)
	}
	// alice is applied once the broker is ready (AlterUserScramCredentials,
	// CreateAcls).
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "alice", "alice-zk-pw", "alice was here\n", "-P", "-t", "kinit-zk-users")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kcat as client user alice: %v\n%s", err, out)
		}
		time.Sleep(time.Second)
	}
	if out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "alice", "alice-zk-pw", "not hers\n", "-P", "-t", "kinit-zk-secure"); err == nil || !strings.Contains(out, "uthoriz") {
		t.Errorf("tenant alice on the admin's topic (%v); want an authorization error:\n%s", err, out)
	}
	mark("round trip over SASL_SSL as admin and as tenant alice, who is refused elsewhere")
	if out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "admin", "not-"+password, "", "-L"); err == nil || strings.Contains(out, "kinit-zk-secure") {
		t.Errorf("kcat with a wrong password listed the cluster (%v):\n%s", err, out)
	}
	if out, err := kcatOn(ctx, t, h, "", "-b", bootstrap, "-m", "6", "-L"); err == nil || strings.Contains(out, "kinit-zk-secure") {
		t.Errorf("kcat over PLAINTEXT listed the cluster (%v):\n%s", err, out)
	}
	mark("clients refused without the right credentials")

	broker := st.service("kafka-broker")
	if err := syscall.Kill(hostPid(t, n, broker.Pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	n.waitStatus(ctx, t, "the broker restarted and ready", func(s *status) bool {
		sv := s.service("kafka-broker")
		return sv.Restarts > 0 && sv.Ready && sv.Pid != broker.Pid
	})
	mark("broker killed with SIGKILL, restarted once its old registration expired, ready")

	if strings.Contains(n.proc.Output(), password) || strings.Contains(n.proc.Output(), "alice-zk-pw") {
		t.Errorf("a password is in kinit's output")
	}
	if out, _ := n.kinit(ctx, "status"); strings.Contains(string(out), password) {
		t.Errorf("the admin password is in kinit status")
	}
}
