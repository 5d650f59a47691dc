package container

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var standalone = []string{"zookeeper", "kafka-broker", "schema-registry", "control-center"}

// One container of the standalone config: healthy by its HEALTHCHECK,
// every service ready in `kinit status` inside, kinit PID 1 as the
// non-root kafka user, a round trip through the port published on
// 127.0.0.1, and `podman stop` stops the services in reverse order, the
// broker's controlled shutdown completed, exit code 0.
func TestStandaloneContainer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	// A fresh named volume for the broker's data: the image's ownership
	// is copied into it, so the kafka user can write it.
	vol := "kinit-data-" + suffix()
	must(t, ctx, "volume", "create", vol)
	t.Cleanup(func() { _, _ = podman(context.Background(), "volume", "rm", "-f", vol) })
	name, seed := runSingleNode(ctx, t, "standalone", "-v", vol+":/var/lib/kafka")

	want := map[string]string{}
	for _, id := range standalone {
		want[id] = "ready"
	}
	st, out := waitStates(ctx, t, name, want)
	got := st.states()
	for _, id := range standalone {
		if got[id] != "ready" {
			t.Errorf("service %s is %q; want ready (%s)", id, got[id], out)
		}
	}
	// The image's schema registry is Apicurio Registry on the image's
	// Java 21, not the stand-in the launcher falls back to.
	for _, svc := range st.Services {
		if svc.ID != "schema-registry" {
			continue
		}
		cmdline := strings.ReplaceAll(must(t, ctx, "exec", name, "cat", fmt.Sprintf("/proc/%d/cmdline", svc.Pid)), "\x00", " ")
		if !strings.Contains(cmdline, "/usr/lib/apicurio/quarkus-run.jar") || !strings.HasPrefix(cmdline, "/usr/lib/jvm/default-java/bin/java ") {
			t.Errorf("schema-registry runs %q; want Apicurio's quarkus-run.jar on /usr/lib/jvm/default-java", cmdline)
		}
	}
	if st.Kinit.Pid != 1 || !st.Ready {
		t.Errorf("kinit pid %d, ready %v; want pid 1, ready", st.Kinit.Pid, st.Ready)
	}
	if id := strings.TrimSpace(must(t, ctx, "exec", name, "id", "-un")); id != "kafka" {
		t.Errorf("kinit runs as %q; want kafka", id)
	}
	if table := must(t, ctx, "exec", name, "kinit", "status"); strings.Count(table, " ready ") != len(standalone) {
		t.Errorf("kinit status inside the container:\n%s", table)
	}

	roundTrip(ctx, t, seed)

	must(t, ctx, "stop", "-t", "20", name)
	if code := strings.TrimSpace(must(t, ctx, "inspect", "-f", "{{.State.ExitCode}}", name)); code != "0" {
		t.Errorf("exit code %s after podman stop; want 0", code)
	}
	for _, p := range stopOrder(logs(ctx, name)) {
		t.Error(p)
	}
}

func roundTrip(ctx context.Context, t *testing.T, seed string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seed), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ConsumeTopics("kinit-container"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, nil, "kinit-container"); err != nil {
		t.Fatalf("create topic through %s: %v", seed, err)
	}
	want := map[string]bool{}
	for i := range 10 {
		v := fmt.Sprintf("container-%d", i)
		want[v] = true
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "kinit-container", Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce through %s: %v", seed, err)
		}
	}
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed all but %d records", len(want))
		}
		fs.EachRecord(func(r *kgo.Record) { delete(want, string(r.Value)) })
	}
}

// stopOrder reads the stop from the container's log: Schema Registry and
// Control Center stopped before the broker's stop began, the broker before
// ZooKeeper's, the broker's controlled shutdown done, kinit's exit 0.
func stopOrder(log string) []string {
	var problems []string
	lines := strings.Split(log, "\n")
	find := func(sub string) int {
		for i, l := range lines {
			if strings.Contains(l, sub) {
				return i
			}
		}
		return -1
	}
	term := find("received SIGTERM")
	stopping := func(id string) int { return find(fmt.Sprintf(`msg="stopping service \"%s\"`, id)) }
	stopped := func(id string) int { return find(fmt.Sprintf(`msg="service \"%s\" stopped: `, id)) }
	if term < 0 {
		problems = append(problems, "kinit did not log the SIGTERM podman stop sends")
	}
	for _, id := range standalone {
		if stopped(id) < term {
			problems = append(problems, id+" did not stop after the SIGTERM")
		}
	}
	for _, id := range []string{"schema-registry", "control-center"} {
		if stopped(id) > stopping("kafka-broker") {
			problems = append(problems, id+" stopped after the broker's stop began")
		}
	}
	if stopped("kafka-broker") > stopping("zookeeper") {
		problems = append(problems, "the broker stopped after ZooKeeper's stop began")
	}
	if find("Controlled shutdown request returned successfully") < term {
		problems = append(problems, "the broker's controlled shutdown did not complete")
	}
	if find(`msg="all services stopped" source=kinit exit_code=0`) < 0 {
		problems = append(problems, "kinit did not end with exit_code=0")
	}
	return problems
}
