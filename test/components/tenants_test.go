package components

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tenants"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Tenants on a secured Kafka 4.4 node with StandardAuthorizer and no
// allow.everyone.if.no.acl.found (false by default: a principal without
// an ACL is refused). Two tenants, team-a and team-b, each owning the
// topic and group prefixes of its name, are applied by
// tenants.Reconcile over the admin user's client: each creates, produces
// and consumes (in a group) under its prefixes and is refused on the
// other's; the same file applied again changes nothing; a tenant removed
// from the file loses its login and its ACLs (an open client of it is
// refused at once) and its quotas, the other untouched; added back, it
// works again. An ACL of another principal outlives every reconcile.
func TestTenantsReconcile(t *testing.T) {
	const password = "admin-secret"
	n := startSecureKRaft(t, password, "IP:127.0.0.1,DNS:localhost")
	dir := n.dir
	ca := filepath.Join(dir, "ca.crt")
	client := func(user, passwordFile string, opts ...kgo.Opt) *kgo.Client {
		t.Helper()
		sec := &plan.Security{TLS: &plan.TLS{CAFile: ca}, SASL: &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: user, PasswordFile: passwordFile}}
		base, err := probe.KafkaClientOpts(n.bootstrap, sec)
		if err != nil {
			t.Fatal(err)
		}
		kc, err := kgo.NewClient(append(append(base, kgo.SeedBrokers(n.bootstrap), kgo.RequestRetries(2),
			kgo.RecordDeliveryTimeout(10*time.Second)), opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(kc.Close)
		return kc
	}
	adm := kadm.NewClient(client("admin", writeFile(t, filepath.Join(dir, "admin.password"), password+"\n")))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	pwA := writeFile(t, filepath.Join(dir, "team-a.password"), "team-a-secret\n")
	pwB := writeFile(t, filepath.Join(dir, "team-b.password"), "team-b-secret\n")
	both := fmt.Sprintf(`[tenants.team-a]
password_file = %q
topics = ["team-a."]
groups = ["team-a."]
[tenants.team-a.quotas]
produce_bytes_per_sec = 1048576
request_percentage = 50

[tenants.team-b]
password_file = %q
topics = ["team-b."]
groups = ["team-b."]
[tenants.team-b.quotas]
consume_bytes_per_sec = 2097152
`, pwA, pwB)
	onlyA := fmt.Sprintf(`[tenants.team-a]
password_file = %q
topics = ["team-a."]
groups = ["team-a."]
[tenants.team-a.quotas]
produce_bytes_per_sec = 1048576
`, pwA)
	reconcile := func(body string, previous ...string) []string {
		t.Helper()
		f, err := tenants.Load(writeFile(t, filepath.Join(dir, "tenants.toml"), body), "admin")
		if err != nil {
			t.Fatal(err)
		}
		pws, err := f.Passwords()
		if err != nil {
			t.Fatal(err)
		}
		applied, err := tenants.Reconcile(ctx, adm, f, pws, previous)
		if err != nil {
			t.Fatalf("reconcile: %v", err)
		}
		return applied
	}

	// Another principal's ACL, on a name under team-a's prefix: never the
	// tenants' to touch.
	bystander := kadm.NewACLs().Allow("User:bystander").AllowHosts("*").Topics("team-a.shared").Operations(kadm.OpRead)
	mustCreateACLs(ctx, t, adm, bystander)

	if got := reconcile(both); !reflect.DeepEqual(got, []string{"team-a", "team-b"}) {
		t.Fatalf("applied %v", got)
	}
	a := newTenantClient(ctx, t, client, "team-a", pwA)
	b := newTenantClient(ctx, t, client, "team-b", pwB)
	a.works(t)
	b.works(t)
	a.refusedOn(t, "team-b")
	b.refusedOn(t, "team-a")
	// A name no ACL covers is refused too: the authorizer does not allow
	// everyone where no ACL is found.
	if err := a.produce(t, "unowned.orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("team-a producing to a topic no tenant owns: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	if want := map[string]float64{"producer_byte_rate": 1048576, "request_percentage": 50}; !reflect.DeepEqual(quotasOf(ctx, t, adm, "team-a"), want) {
		t.Errorf("quotas of team-a %v, want %v", quotasOf(ctx, t, adm, "team-a"), want)
	}
	if want := map[string]float64{"consumer_byte_rate": 2097152}; !reflect.DeepEqual(quotasOf(ctx, t, adm, "team-b"), want) {
		t.Errorf("quotas of team-b %v, want %v", quotasOf(ctx, t, adm, "team-b"), want)
	}
	if got := aclsOf(ctx, t, adm, "User:team-a"); len(got) != 5 {
		t.Errorf("team-a has %d ACLs, want 4 on its topics and 1 on its groups: %v", len(got), got)
	}

	// An ACL of team-a the file does not say is removed by the next
	// reconcile; the bystander's is kept.
	mustCreateACLs(ctx, t, adm, kadm.NewACLs().Allow("User:team-a").AllowHosts("*").Topics("legacy.").
		ResourcePatternType(kadm.ACLPatternPrefixed).Operations(kadm.OpWrite))
	if got := aclsOf(ctx, t, adm, "User:team-a"); len(got) != 6 {
		t.Fatalf("the stray ACL was not created: %v", got)
	}
	reconcile(both, "team-a", "team-b")
	if got := aclsOf(ctx, t, adm, "User:team-a"); len(got) != 5 || slices.ContainsFunc(got, func(s string) bool { return s == "ALLOW WRITE TOPIC:legacy. PREFIXED *" }) {
		t.Errorf("team-a's stray ACL outlived the reconcile: %v", got)
	}
	if got := aclsOf(ctx, t, adm, "User:bystander"); len(got) != 1 {
		t.Errorf("the bystander's ACL was touched: %v", got)
	}

	// The same file again: nothing changes.
	before := aclsOf(ctx, t, adm, "")
	reconcile(both, "team-a", "team-b")
	if after := aclsOf(ctx, t, adm, ""); !reflect.DeepEqual(before, after) {
		t.Errorf("a second reconcile changed the ACLs:\nbefore %v\nafter  %v", before, after)
	}
	a.works(t)
	b.works(t)

	// team-b removed: its open client is refused at once, a new one
	// cannot log in, its ACLs and quotas are gone; team-a keeps working
	// and loses only the quota the file no longer sets.
	if got := reconcile(onlyA, "team-a", "team-b"); !reflect.DeepEqual(got, []string{"team-a"}) {
		t.Fatalf("applied %v", got)
	}
	// Refused by the authorizer on its open connection, or at login when
	// the client had to reconnect.
	if err := b.produce(t, "team-b.orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) && !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("team-b's open client, removed, produced: %v", err)
	} else {
		t.Logf("team-b's open client, removed: %v", err)
	}
	fresh := client("team-b", pwB)
	if err := fresh.ProduceSync(ctx, &kgo.Record{Topic: "team-b.orders", Value: []byte("x")}).FirstErr(); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("team-b, removed, logged in again: %v", err)
	}
	if got := aclsOf(ctx, t, adm, "User:team-b"); len(got) != 0 {
		t.Errorf("removed team-b keeps ACLs %v", got)
	}
	if got := quotasOf(ctx, t, adm, "team-b"); len(got) != 0 {
		t.Errorf("removed team-b keeps quotas %v", got)
	}
	if want := map[string]float64{"producer_byte_rate": 1048576}; !reflect.DeepEqual(quotasOf(ctx, t, adm, "team-a"), want) {
		t.Errorf("quotas of team-a %v, want %v", quotasOf(ctx, t, adm, "team-a"), want)
	}
	a.works(t)
	if got := aclsOf(ctx, t, adm, "User:bystander"); len(got) != 1 {
		t.Errorf("the bystander's ACL was touched: %v", got)
	}

	// team-b back: a new client of it works again, quotas restored.
	if got := reconcile(both, "team-a"); !reflect.DeepEqual(got, []string{"team-a", "team-b"}) {
		t.Fatalf("applied %v", got)
	}
	newTenantClient(ctx, t, client, "team-b", pwB).works(t)
	if want := map[string]float64{"consumer_byte_rate": 2097152}; !reflect.DeepEqual(quotasOf(ctx, t, adm, "team-b"), want) {
		t.Errorf("quotas of team-b back %v, want %v", quotasOf(ctx, t, adm, "team-b"), want)
	}
	b.refusedOn(t, "team-a")
}

// tenantClient is one tenant's producer and admin client; its topic and
// group are <name>.orders and <name>.readers.
type tenantClient struct {
	ctx    context.Context
	name   string
	kc     *kgo.Client
	adm    *kadm.Client
	client func(string, string, ...kgo.Opt) *kgo.Client
	pw     string
	sent   int
}

func newTenantClient(ctx context.Context, t *testing.T, client func(string, string, ...kgo.Opt) *kgo.Client, name, pw string) *tenantClient {
	t.Helper()
	kc := client(name, pw)
	return &tenantClient{ctx: ctx, name: name, kc: kc, adm: kadm.NewClient(kc), client: client, pw: pw}
}

func (c *tenantClient) produce(t *testing.T, topic string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	return c.kc.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(fmt.Sprintf("%s-%d", c.name, c.sent))}).FirstErr()
}

// works creates the tenant's topic if it is missing (CREATE on its
// prefix), produces a record and reads every record sent so far in its
// consumer group, from the start (READ on the topic and the group).
func (c *tenantClient) works(t *testing.T) {
	t.Helper()
	topic, group := c.name+".orders", c.name+".readers"
	// A SCRAM credential reaches the broker through the metadata log
	// just after the controller acknowledges it: the first login may
	// need a second try.
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var res kadm.CreateTopicResponse
		res, err = c.adm.CreateTopic(c.ctx, 1, 1, nil, topic)
		if err == nil {
			err = res.Err
		}
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			err = nil
			break
		}
	}
	if err != nil {
		t.Fatalf("%s cannot create %s: %v", c.name, topic, err)
	}
	if err := c.produce(t, topic); err != nil {
		t.Fatalf("%s cannot produce to %s: %v", c.name, topic, err)
	}
	c.sent++
	consumer := c.client(c.name, c.pw, kgo.ConsumerGroup(group+fmt.Sprint(time.Now().UnixNano())), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	got := 0
	for got < c.sent {
		fs := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s read %d of %d records of %s in its group: %v", c.name, got, c.sent, topic, fs.Errors())
		}
		for _, e := range fs.Errors() {
			// The group's coordinator may still be loading
			// __consumer_offsets (NOT_COORDINATOR on a loaded machine):
			// the client joins again; only a lasting error is the test's.
			if kerr.IsRetriable(e.Err) {
				continue
			}
			t.Fatalf("%s consuming %s in group %s: %v", c.name, topic, group, e.Err)
		}
		got += fs.NumRecords()
	}
	if err := consumer.CommitUncommittedOffsets(ctx); err != nil {
		t.Errorf("%s committing in its group: %v", c.name, err)
	}
}

// refusedOn checks that the tenant is refused on other's topic and group.
func (c *tenantClient) refusedOn(t *testing.T, other string) {
	t.Helper()
	topic, group := other+".orders", other+".readers"
	if err := c.produce(t, topic); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("%s producing to %s: %v, want TOPIC_AUTHORIZATION_FAILED", c.name, topic, err)
	}
	ends, err := c.adm.ListEndOffsets(c.ctx, topic)
	if err == nil {
		ends.Each(func(o kadm.ListedOffset) { err = o.Err })
	}
	if !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("%s listing the offsets of %s: %v, want TOPIC_AUTHORIZATION_FAILED", c.name, topic, err)
	}
	offs := kadm.Offsets{}
	offs.Add(kadm.Offset{Topic: c.name + ".orders", Partition: 0, At: 0})
	committed, err := c.adm.CommitOffsets(c.ctx, group, offs)
	if err == nil {
		err = committed.Error()
	}
	if !errors.Is(err, kerr.GroupAuthorizationFailed) {
		t.Errorf("%s committing in group %s: %v, want GROUP_AUTHORIZATION_FAILED", c.name, group, err)
	}
	fetched, err := c.adm.FetchOffsets(c.ctx, group)
	if err == nil {
		err = fetched.Error()
	}
	if !errors.Is(err, kerr.GroupAuthorizationFailed) {
		t.Errorf("%s fetching the offsets of group %s: %v, want GROUP_AUTHORIZATION_FAILED", c.name, group, err)
	}
}

func mustCreateACLs(ctx context.Context, t *testing.T, adm *kadm.Client, b *kadm.ACLBuilder) {
	t.Helper()
	res, err := adm.CreateACLs(ctx, b)
	if err == nil {
		for _, r := range res {
			if r.Err != nil {
				err = r.Err
			}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// aclsOf lists the ACLs of principal p (every principal's when p is ""),
// each as "PERMISSION OPERATION TYPE:name PATTERN host", sorted.
func aclsOf(ctx context.Context, t *testing.T, adm *kadm.Client, p string) []string {
	t.Helper()
	b := kadm.NewACLs().AnyResource().Operations().ResourcePatternType(kadm.ACLPatternAny)
	if p == "" {
		b.Allow().AllowHosts().Deny().DenyHosts()
	} else {
		b.Allow(p).AllowHosts().Deny(p).DenyHosts()
	}
	res, err := adm.DescribeACLs(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		for _, d := range r.Described {
			s := fmt.Sprintf("%s %s %s:%s %s %s", d.Permission, d.Operation, d.Type, d.Name, d.Pattern, d.Host)
			if p == "" {
				s = d.Principal + " " + s
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// quotasOf are the quota keys of the entity user=<user>.
func quotasOf(ctx context.Context, t *testing.T, adm *kadm.Client, user string) map[string]float64 {
	t.Helper()
	qs, err := adm.DescribeClientQuotas(ctx, true, []kadm.DescribeClientQuotaComponent{{Type: "user", MatchName: &user, MatchType: 0}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, q := range qs {
		for _, v := range q.Values {
			out[v.Key] = v.Value
		}
	}
	return out
}
