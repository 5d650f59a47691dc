package cluster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kinit/kinit/test/nethost"
)

// Apicurio Registry as the standalone node's schema-registry service, with
// its schemas in Kafka: an Avro schema registered through the Confluent API
// (franz-go's pkg/sr), records produced in the Confluent wire format
// (magic byte, schema id, Avro body), consumed and decoded; kill -9 of the
// registry's JVM → restarted, the schema still served; the whole node
// stopped and started again → the schema still served.
func TestSchemaRegistry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"kafka-1"}})
	h := c.Hosts[0]
	mark := milestones(t)
	n := newNode(t, c, h, "KINIT_CONFIG_ID=standalone", "KINIT_ROLE=broker")
	n.start(t)
	st := n.waitReady(ctx, t)
	mark("all four services ready")

	reg := st.service("schema-registry")
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", hostPid(t, n, reg.Pid)))
	if !strings.Contains(string(cmdline), "quarkus-run.jar") {
		t.Fatalf("schema-registry runs %q; want Apicurio's quarkus-run.jar", strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	httpc := &http.Client{Transport: &http.Transport{DialContext: c.DialContext}, Timeout: 10 * time.Second}
	health(ctx, t, httpc, "http://"+h.FQDN+":8091/health/ready")
	mark("Apicurio /health/ready up")

	rc, err := sr.NewClient(sr.URLs("http://"+h.FQDN+":8081/apis/ccompat/v7"), sr.HTTPClient(httpc))
	if err != nil {
		t.Fatal(err)
	}
	const subject = "kinit-users-value"
	ss, err := rc.CreateSchema(ctx, subject, sr.Schema{Schema: userSchema, Type: sr.TypeAvro})
	if err != nil {
		t.Fatalf("register the schema: %v", err)
	}
	mark(fmt.Sprintf("schema registered, id %d", ss.ID))

	var serde sr.Serde
	serde.Register(ss.ID, user{},
		sr.EncodeFn(func(v any) ([]byte, error) { return v.(user).appendAvro(nil), nil }),
		sr.DecodeFn(func(b []byte, v any) error {
			u, err := decodeUser(b)
			*(v.(*user)) = u
			return err
		}))
	seed := h.FQDN + ":9092"
	const topic = "kinit-users"
	cl := producer(t, c, seed)
	createTopic(ctx, t, cl, topic, 1, 1, nil)
	want := []user{{1, "ada"}, {2, "grace"}, {300, "edsger"}}
	for _, u := range want {
		b, err := serde.Encode(u)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != 0 || int(b[1])<<24|int(b[2])<<16|int(b[3])<<8|int(b[4]) != ss.ID {
			t.Fatalf("encoded %x: want magic 0 and schema id %d in front", b, ss.ID)
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: b}).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
	got := consumeUsers(ctx, t, c, seed, topic, len(want), &serde, rc)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("consumed %v; want %v", got, want)
	}
	mark("wire-format round trip")

	// kill -9 of the registry's JVM: restarted, and the schema (in Kafka) still served.
	if err := syscall.Kill(hostPid(t, n, reg.Pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	n.waitStatus(ctx, t, "the registry restarted and ready", func(s *status) bool {
		r := s.service("schema-registry")
		return r.Restarts > 0 && r.Ready && r.Pid != reg.Pid
	})
	mark("registry restarted after kill -9")
	schemaServed(ctx, t, rc, ss.ID, subject)

	// The whole node stopped and started again on its data.
	if err := n.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, err := n.proc.Wait(time.Minute); err != nil || code != 0 {
		t.Fatalf("kinit after SIGTERM: exit %d, %v; want 0", code, err)
	}
	n.start(t)
	n.waitReady(ctx, t)
	mark("node restarted, all ready")
	schemaServed(ctx, t, rc, ss.ID, subject)
}

// hostPid is the test's view of a pid kinit reports from the host's PID
// namespace.
func hostPid(t *testing.T, n *node, pid int) int {
	t.Helper()
	procs, err := nsProcs(n.proc.Pid())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := procs[pid]
	if !ok || p.Name != "java" {
		t.Fatalf("pid %d from kinit status is %+v in the host's namespace; want a java process", pid, p)
	}
	return p.Pid
}

// health checks Apicurio's readiness endpoint, the one kinit's probe asks
// (retried for a minute: readiness is re-checked, not latched).
func health(ctx context.Context, t *testing.T, c *http.Client, url string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("%s: %s", resp.Status, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v; want 200", url, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func schemaServed(ctx context.Context, t *testing.T, rc *sr.Client, id int, subject string) {
	t.Helper()
	s, err := rc.SchemaByID(ctx, id)
	if err != nil {
		t.Fatalf("schema %d: %v", id, err)
	}
	if !strings.Contains(s.Schema, `"kinit.test"`) {
		t.Errorf("schema %d is %s; want the User record", id, s.Schema)
	}
	subjects, err := rc.Subjects(ctx)
	if err != nil || !bytes.Contains([]byte(strings.Join(subjects, ",")), []byte(subject)) {
		t.Errorf("subjects %v (%v); want %s among them", subjects, err, subject)
	}
}

// consumeUsers reads count records from the start and decodes each after
// fetching its writer schema by the id in the record, as a Confluent
// consumer does.
func consumeUsers(ctx context.Context, t *testing.T, c *nethost.Cluster, seed, topic string, count int, serde *sr.Serde, rc *sr.Client) []user {
	t.Helper()
	cl := kafkaClient(t, c, seed, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	var got []user
	for len(got) < count {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consume %s: %d of %d records", topic, len(got), count)
		}
		fs.EachRecord(func(r *kgo.Record) {
			id, _, err := serde.DecodeID(r.Value)
			if err != nil {
				t.Fatalf("record %x: %v", r.Value, err)
			}
			if _, err := rc.SchemaByID(ctx, id); err != nil {
				t.Fatalf("the writer schema %d of a record: %v", id, err)
			}
			var u user
			if err := serde.Decode(r.Value, &u); err != nil {
				t.Fatalf("decode %x: %v", r.Value, err)
			}
			got = append(got, u)
		})
	}
	return got
}
