package container

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/test/kafkahome"
)

// The repository's docker-compose.yml (the production config on seven
// containers) run as podman commands derived from that file: each service
// with its hostname, environment and named volumes, on a network of the
// test's own. Derived rather than run by podman-compose because
// podman-compose 1.0 would build Dockerfile.centos7 (no registry serves
// centos:7) and publish fixed host ports; the test swaps in the image
// `make image` built, leaves the host ports out, gives each container a
// fixed address with every member's name in its /etc/hosts (Debian's
// podman has no DNS plugin for CNI networks), caps each at 1 GiB (kinit
// sizes the JVMs from it) and shortens two Kafka timeouts so a dead broker
// is noticed in seconds. Then: every container healthy, an RF=3 round
// trip, `podman kill` of a broker leaves a cluster that serves, `podman
// start` brings it back as the same broker from its volume, and a
// ZooKeeper container restarted rejoins the ensemble.
func TestComposeProduction(t *testing.T) {
	runCompose(t, "docker-compose.yml")
}

// TestComposeSecure: the same cluster with docker-compose.secure.yml on
// top, its material made by scripts/compose-secrets.sh as a user would:
// every container healthy through authenticated probes (ZooKeeper's over
// mutual TLS), the same round trip, kill and restarts, over SASL_SSL as
// the admin user, and the restarted ZooKeeper back in its ensemble over
// TLS (sslQuorum).
func TestComposeSecure(t *testing.T) {
	runCompose(t, "docker-compose.yml", "docker-compose.secure.yml")
}

// composeService is what the test reads of a compose service, merged over
// the files as compose merges them: environment by key, volumes and
// secrets appended.
type composeService struct {
	Hostname    string            `yaml:"hostname"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Secrets     []string          `yaml:"secrets"`
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

func loadCompose(t *testing.T, root string, files ...string) composeFile {
	t.Helper()
	out := composeFile{Services: map[string]composeService{}, Secrets: map[string]struct {
		File string `yaml:"file"`
	}{}}
	for i, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		var file composeFile
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for name, s := range file.Services {
			m, ok := out.Services[name]
			if !ok && i > 0 {
				t.Fatalf("%s names service %s, which %s has not", f, name, files[0])
			}
			if s.Hostname != "" {
				m.Hostname = s.Hostname
			}
			if m.Environment == nil {
				m.Environment = map[string]string{}
			}
			for k, v := range s.Environment {
				m.Environment[k] = v
			}
			m.Volumes = append(m.Volumes, s.Volumes...)
			m.Secrets = append(m.Secrets, s.Secrets...)
			out.Services[name] = m
		}
		for k, v := range file.Secrets {
			out.Secrets[k] = v
		}
	}
	return out
}

func runCompose(t *testing.T, files ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	root, err := kafkahome.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	file := loadCompose(t, root, files...)
	names := []string{"zk-1", "zk-2", "zk-3", "kafka-1", "kafka-2", "kafka-3", "schemareg-1", "gateway-1"}
	for _, n := range names {
		if _, ok := file.Services[n]; !ok {
			t.Fatalf("docker-compose.yml has no service %s", n)
		}
	}
	if len(file.Services) != len(names) {
		t.Fatalf("docker-compose.yml runs %d services; the test knows %v", len(file.Services), names)
	}
	secure := file.Services["kafka-1"].Environment["KINIT_SECURITY"] == "sasl_ssl"
	// A project dir of the test's own: the relative paths of the files
	// (./secrets/...) resolve there, made by the script users run.
	project := t.TempDir()
	if secure {
		cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "compose-secrets.sh"))
		cmd.Dir = project
		cmd.Env = append(os.Environ(), "KINIT="+kinitBinary(t))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/compose-secrets.sh: %v\n%s", err, out)
		}
	}

	sub := fmt.Sprintf("10.%d.%d", 90+int(suffix()[0]%8), int(suffix()[1]%200)+10)
	netName := "kinit-compose-" + suffix()
	must(t, ctx, "network", "create", "--subnet", sub+".0/24", netName)
	tag := suffix()
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for _, n := range names {
			_, _ = podman(c, "rm", "-f", "-t", "0", "kinit-"+tag+"-"+n)
		}
		_, _ = podman(c, "network", "rm", "-f", netName)
		if vols, _ := podman(c, "volume", "ls", "-q", "--filter", "name=kinit-"+tag); strings.TrimSpace(vols) != "" {
			_, _ = podman(c, append([]string{"volume", "rm", "-f"}, strings.Fields(vols)...)...)
		}
	})
	ips := map[string]string{}
	for i, n := range names {
		ips[file.Services[n].Hostname] = fmt.Sprintf("%s.%d", sub, 11+i)
	}
	container := func(n string) string { return "kinit-" + tag + "-" + n }
	run := func(n string) {
		s := file.Services[n]
		args := []string{"run", "-d", "--name", container(n), "--network", netName, "--ip", ips[s.Hostname],
			"--hostname", s.Hostname, "--memory", "1g"}
		for h, ip := range ips {
			args = append(args, "--add-host", h+":"+ip)
		}
		for k, v := range s.Environment {
			args = append(args, "-e", k+"="+v)
		}
		args = append(args, "-e", "KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS=10000", "-e", "KAFKA_REPLICA_LAG_TIME_MAX_MS=10000")
		for _, v := range s.Volumes {
			if rel, ok := strings.CutPrefix(v, "./"); ok {
				args = append(args, "-v", filepath.Join(project, rel))
				continue
			}
			args = append(args, "-v", "kinit-"+tag+"-"+v)
		}
		for _, sec := range s.Secrets {
			src, ok := file.Secrets[sec]
			if !ok || !strings.HasPrefix(src.File, "./") {
				t.Fatalf("service %s: secret %s has no ./ file", n, sec)
			}
			args = append(args, "-v", filepath.Join(project, src.File)+":/run/secrets/"+sec+":ro")
		}
		must(t, ctx, append(args, image)...)
	}
	mark := time.Now()
	for _, n := range names {
		run(n)
	}
	for _, n := range names {
		waitHealthy(ctx, t, container(n))
	}
	t.Logf("%d containers healthy in %.1fs", len(names), time.Since(mark).Seconds())

	// Secured: the CA of the script's material, the admin user over
	// SASL_SSL, and for ZooKeeper's four-letter words a client
	// certificate of that CA, as an operator's tool would have.
	var auth *composeAuth
	if secure {
		auth = newComposeAuth(t, filepath.Join(project, "secrets"))
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if ip, ok := ips[host]; ok {
			addr = net.JoinHostPort(ip, port)
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil || auth == nil {
			return c, err
		}
		return auth.tlsClient(c, host), nil
	}
	client := func(seed string, opts ...kgo.Opt) *kgo.Client {
		if auth != nil {
			opts = append(opts, kgo.SASL(auth.scram()))
		}
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(seed), kgo.Dialer(dial), kgo.RequiredAcks(kgo.AllISRAcks())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	const topic = "kinit-compose"
	p := client("kafka-1:9092")
	minISR := "2"
	if _, err := kadm.NewClient(p).CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil {
		t.Fatalf("create an RF=3 topic: %v", err)
	}
	produce := func(prefix string) []string {
		var vals []string
		for i := range 30 {
			v := fmt.Sprintf("%s-%d", prefix, i)
			vals = append(vals, v)
			if err := p.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: int32(i % 3), Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatalf("produce %s: %v", v, err)
			}
		}
		return vals
	}
	consume := func(seed string, want []string) {
		t.Helper()
		c := client(seed, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		left := map[string]bool{}
		for _, v := range want {
			left[v] = true
		}
		for len(left) > 0 {
			fs := c.PollFetches(ctx)
			if ctx.Err() != nil {
				t.Fatalf("read all but %d records through %s", len(left), seed)
			}
			fs.EachRecord(func(r *kgo.Record) { delete(left, string(r.Value)) })
		}
	}
	p = client("kafka-1:9092", kgo.RecordPartitioner(kgo.ManualPartitioner()))
	all := produce("before")
	consume("kafka-3:9092", all)
	t.Logf("RF=3 round trip")

	meta := func() string {
		return must(t, ctx, "exec", container("kafka-2"), "cat", "/var/lib/kafka/data/meta.properties")
	}
	metaBefore := meta()
	must(t, ctx, "kill", container("kafka-2"))
	all = append(all, produce("during")...)
	consume("kafka-3:9092", all)
	t.Logf("served with kafka-2 killed")

	must(t, ctx, "start", container("kafka-2"))
	waitHealthy(ctx, t, container("kafka-2"))
	if got := meta(); stripComments(got) != stripComments(metaBefore) {
		t.Errorf("kafka-2's meta.properties changed across the kill:\n%s\nwas\n%s", got, metaBefore)
	}
	if !strings.Contains(metaBefore, "broker.id=2") {
		t.Errorf("kafka-2's volume says %q; want broker.id=2", metaBefore)
	}
	all = append(all, produce("after")...)
	consume("kafka-2:9092", all)
	t.Logf("kafka-2 back with its volume")

	must(t, ctx, "restart", "-t", "30", container("zk-3"))
	waitHealthy(ctx, t, container("zk-3"))
	modes := map[string]string{}
	for _, n := range []string{"zk-1", "zk-2", "zk-3"} {
		modes[n] = zkMode(ctx, t, ips[n], auth.zkTLS(n))
	}
	if leaders := slices.Collect(func(yield func(string) bool) {
		for _, m := range modes {
			if m == "leader" && !yield(m) {
				return
			}
		}
	}); len(leaders) != 1 || modes["zk-3"] == "" || modes["zk-3"] == "standalone" {
		t.Errorf("ensemble after zk-3's restart: %v; want one leader and zk-3 in it", modes)
	}
}

// zkMode asks a ZooKeeper server for its mode with the srvr four-letter
// word, over TLS when t is not nil.
func zkMode(ctx context.Context, t *testing.T, ip string, tlsSpec *plan.TLS) string {
	t.Helper()
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		reply, err := probe.FourLetterTLS(actx, ip+":2181", "srvr", tlsSpec)
		cancel()
		if err == nil {
			if st, err := probe.ParseSrvr(reply); err == nil {
				return st.Mode
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no mode from zookeeper %s: %v", ip, err)
		case <-time.After(time.Second):
		}
	}
}

func stripComments(props string) string {
	var keep []string
	for _, l := range strings.Split(props, "\n") {
		if !strings.HasPrefix(l, "#") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

var kinitBuild struct {
	once sync.Once
	path string
	err  error
}

// kinitBinary is kinit built from this checkout for the host, as `make
// build` gives a user who runs scripts/compose-secrets.sh.
func kinitBinary(t *testing.T) string {
	t.Helper()
	kinitBuild.once.Do(func() {
		root, err := kafkahome.RepoRoot()
		if err != nil {
			kinitBuild.err = err
			return
		}
		dir, err := os.MkdirTemp("", "kinit-bin-")
		if err != nil {
			kinitBuild.err = err
			return
		}
		kinitBuild.path = filepath.Join(dir, "kinit")
		cmd := exec.Command("go", "build", "-o", kinitBuild.path, "./cmd/kinit")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			kinitBuild.err = fmt.Errorf("go build ./cmd/kinit: %v\n%s", err, out)
		}
	})
	if kinitBuild.err != nil {
		t.Fatal(kinitBuild.err)
	}
	return kinitBuild.path
}
