package cluster

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kinit/kinit/test/nethost"
)

// quotaBytes is team-a's produce quota in the test: a few times less than
// what one producer sends on this machine, and large against one record.
const quotaBytes = 512 << 10

// tenantsTOML is the tenants file with the given tenants, their password
// files under dir.
func tenantsTOML(dir string, names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "[tenants.%s]\npassword_file = %q\ntopics = [\"%s.\"]\ngroups = [\"%s.\"]\n", n, filepath.Join(dir, n), n, n)
		if n == "team-a" {
			fmt.Fprintf(&b, "[tenants.%s.quotas]\nproduce_bytes_per_sec = %d\n", n, quotaBytes)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestKRaftTenants (issue 24): three hosts of kraft-production secured
// with a tenants file (a ConfigMap on each broker; the controller only
// runs the authorizer and has no file). Both brokers reconcile the same
// file; each tenant produces and consumes under its prefixes with a group
// of its own and is refused on the other's topic and group; team-a's
// produce quota holds a producer that tries far more to within 25 % of
// it over 20 s; removing team-b from the file while the cluster runs
// revokes it, adding it back restores it, and `kinit status` shows the
// tenants, the file's version and no error.
func TestKRaftTenants(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	names := []string{"ctl-1", "brk-2", "brk-3"}
	c := nethost.New(t, nethost.Config{Names: names})
	mark := milestones(t)
	fq := func(n string) string { return c.Host(n).FQDN }

	const password = "tenants-Admin-pw1"
	passwords := map[string]string{"team-a": "team-a-pw-1", "team-b": "team-b-pw-1"}
	// Every node runs the authorizer; each broker mounts the tenants file
	// as a ConfigMap and the passwords as a Secret.
	configMaps := map[string]*secretDir{}
	k := startSecureKRaft(t, c, password, func(name string) []string {
		h := c.Host(name)
		env := []string{"KINIT_TENANTS_FILE=" + filepath.Join(h.Dir, "tenants", "tenants.toml")}
		if name != "ctl-1" {
			secrets := &secretDir{dir: filepath.Join(h.Dir, "tenant-secrets")}
			secrets.write(t, passwords)
			configMaps[name] = &secretDir{dir: filepath.Join(h.Dir, "tenants")}
			configMaps[name].write(t, map[string]string{"tenants.toml": tenantsTOML(secrets.dir, "team-a", "team-b")})
		}
		return env
	})
	caDir, nodes := k.caDir, k.nodes
	for _, n := range nodes {
		n.waitReady(ctx, t)
	}
	tenantsShown := func(n *node, want string) *status {
		return n.waitStatus(ctx, t, "tenants "+want+" applied", func(s *status) bool {
			f := s.section("tenants")
			return f != nil && f["tenants"] == want && f["error"] == "" && f["version"] != ""
		})
	}
	for _, n := range nodes[1:] {
		tenantsShown(n, "team-a, team-b")
	}
	mark("authorizer on, tenants reconciled by both brokers")

	pool := x509.NewCertPool()
	pem, err := os.ReadFile(filepath.Join(caDir, "ca.crt"))
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("CA: %v", err)
	}
	as := func(user, pw string, opts ...kgo.Opt) *kgo.Client {
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := c.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			return tls.Client(conn, &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}), nil
		}
		return kafkaClient(t, c, fq("brk-2")+":9092", append([]kgo.Opt{kgo.Dialer(dial),
			kgo.SASL(scram.Auth{User: user, Pass: pw}.AsSha512Mechanism())}, opts...)...)
	}
	admin := kadm.NewClient(as("admin", password))
	for _, topic := range []string{"team-a.orders", "team-b.orders"} {
		if _, err := admin.CreateTopic(ctx, 1, 2, nil, topic); err != nil {
			t.Fatalf("create %s as admin: %v", topic, err)
		}
	}
	produce := func(cl *kgo.Client, topic string) error {
		pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return cl.ProduceSync(pctx, &kgo.Record{Topic: topic, Value: []byte("hello")}).FirstErr()
	}
	consume := func(cl *kgo.Client) error {
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		for {
			fs := cl.PollFetches(pctx)
			if err := fs.Err0(); err != nil {
				return err
			}
			if fs.NumRecords() > 0 {
				return nil
			}
		}
	}
	for _, team := range []string{"team-a", "team-b"} {
		other := map[string]string{"team-a": "team-b", "team-b": "team-a"}[team]
		cl := as(team, passwords[team])
		if err := produce(cl, team+".orders"); err != nil {
			t.Fatalf("%s producing to its own topic: %v", team, err)
		}
		if err := produce(cl, other+".orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
			t.Errorf("%s producing to %s's topic: %v; want TOPIC_AUTHORIZATION_FAILED", team, other, err)
		}
		own := as(team, passwords[team], kgo.ConsumeTopics(team+".orders"), kgo.ConsumerGroup(team+".readers"),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err := consume(own); err != nil {
			t.Errorf("%s consuming its topic in group %s.readers: %v", team, team, err)
		}
		foreign := as(team, passwords[team], kgo.ConsumeTopics(team+".orders"), kgo.ConsumerGroup(other+".readers"))
		if err := consume(foreign); !errors.Is(err, kerr.GroupAuthorizationFailed) {
			t.Errorf("%s consuming in %s's group: %v; want GROUP_AUTHORIZATION_FAILED", team, other, err)
		}
	}
	mark("each tenant works under its prefixes and is refused on the other's")

	// team-a's quota: a producer with plenty in flight.
	if qs, err := admin.DescribeClientQuotas(ctx, false, nil); err == nil {
		t.Logf("client quotas: %+v", qs)
	}
	var throttled throttleHook
	cl := as("team-a", passwords["team-a"], kgo.ProducerLinger(0), kgo.MaxBufferedRecords(16),
		kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.WithHooks(&throttled))
	// Random bytes, uncompressed: the quota counts the bytes a broker
	// receives, so what is counted here is what it sees.
	value := make([]byte, 4<<10)
	if _, err := rand.Read(value); err != nil {
		t.Fatal(err)
	}
	// Counted over 20 s after a warm-up: the quota is a rate over a
	// window of samples, which the first burst of buffered records
	// overshoots before the broker's first throttle.
	var acked atomic.Int64
	const warm, window = 5 * time.Second, 20 * time.Second
	first, last := make(chan int64, 1), make(chan int64, 1)
	time.AfterFunc(warm, func() { first <- acked.Load() })
	time.AfterFunc(warm+window, func() { last <- acked.Load() })
	start := time.Now()
	for time.Since(start) < warm+window {
		cl.Produce(ctx, &kgo.Record{Topic: "team-a.orders", Value: value}, func(r *kgo.Record, err error) {
			if err == nil {
				acked.Add(int64(len(r.Value)))
			}
		})
	}
	rate := float64(<-last-<-first) / window.Seconds()
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("throttled %d times, %v in all", throttled.n.Load(), time.Duration(throttled.total.Load()))
	t.Logf("team-a's produce quota %d B/s: measured %.0f B/s over %v after %v (%.2f of the quota)", quotaBytes, rate, window, warm, rate/quotaBytes)
	// The quota holds when the broker throttled the producer and the rate
	// stayed under it. Below it, the client's own pace on a loaded machine
	// and the broker's throttle delays count too (0.75 seen on a slow
	// day), so the floor only catches a quota set in the wrong unit.
	if throttled.n.Load() == 0 {
		t.Errorf("team-a was never throttled: its quota %d B/s does not hold", quotaBytes)
	}
	if rate < 0.5*quotaBytes || rate > 1.25*quotaBytes {
		t.Errorf("team-a produced %.0f B/s; want at most 1.25 and at least 0.5 times its quota %d B/s", rate, quotaBytes)
	}
	mark("produce quota measured")

	// team-b leaves the file on both brokers, then comes back.
	for _, name := range names[1:] {
		configMaps[name].write(t, map[string]string{"tenants.toml": tenantsTOML(filepath.Join(c.Host(name).Dir, "tenant-secrets"), "team-a")})
	}
	for _, n := range nodes[1:] {
		tenantsShown(n, "team-a")
	}
	if err := produce(as("team-b", passwords["team-b"]), "team-b.orders"); err == nil {
		t.Errorf("team-b still produces after it left the tenants file")
	}
	if err := produce(as("team-a", passwords["team-a"]), "team-a.orders"); err != nil {
		t.Errorf("team-a after team-b left: %v", err)
	}
	mark("team-b removed from the file: refused while the cluster runs")
	for _, name := range names[1:] {
		configMaps[name].write(t, map[string]string{"tenants.toml": tenantsTOML(filepath.Join(c.Host(name).Dir, "tenant-secrets"), "team-a", "team-b")})
	}
	for _, n := range nodes[1:] {
		tenantsShown(n, "team-a, team-b")
	}
	if err := produce(as("team-b", passwords["team-b"]), "team-b.orders"); err != nil {
		t.Errorf("team-b after it came back: %v", err)
	}
	mark("team-b back in the file: works again")
	for _, n := range nodes {
		if strings.Contains(n.proc.Output(), passwords["team-a"]) || strings.Contains(n.proc.Output(), password) {
			t.Errorf("%s: a password is in kinit's output", n.host.Name)
		}
	}
}

// throttleHook counts the throttles brokers ask of a client.
type throttleHook struct{ n, total atomic.Int64 }

func (h *throttleHook) OnBrokerThrottle(_ kgo.BrokerMetadata, d time.Duration, _ bool) {
	h.n.Add(1)
	h.total.Add(int64(d))
}
