package kubecluster

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// TestKRaftProductionSecure deploys the secured overlay exactly as its
// kustomization's comment tells a user: apply it, make the two Secrets with
// kinit's development CA and kubectl (the pods wait for them), and then
// talks SASL_SSL with SCRAM as the admin through the headless Service.
func TestKRaftProductionSecure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	n := ns{t: t, name: "kafka-kraft"}
	all := []string{"controller-0", "controller-1", "controller-2", "kafka-0", "kafka-1", "kafka-2", "schemareg-0", "gateway-0"}
	n.waitGone(ctx)
	n.deleteLater()
	n.logsOnFailure(all)

	mark := time.Now()
	n.kubectl(ctx, "apply", "-k", filepath.Join(root, "deploy", "kubernetes", "kraft-production-secure"))
	dir := t.TempDir()
	kinit := filepath.Join(dir, "kinit")
	build := exec.CommandContext(ctx, "go", "build", "-o", kinit, "./cmd/kinit")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kinit: %v\n%s", err, out)
	}
	ca, tlsDir, pwFile := filepath.Join(dir, "ca"), filepath.Join(dir, "tls"), filepath.Join(dir, "admin-password")
	for _, args := range [][]string{
		{"tls", "ca", "--out", ca},
		{"tls", "issue", "--ca", ca, "--out", tlsDir,
			"--host", "*.controller.kafka-kraft.svc", "--host", "*.kafka.kafka-kraft.svc",
			"--host", "*.schemareg.kafka-kraft.svc", "--host", "*.gateway.kafka-kraft.svc",
			"--host", "kafka.kafka-kraft.svc"},
	} {
		if out, err := exec.CommandContext(ctx, kinit, args...).CombinedOutput(); err != nil {
			t.Fatalf("kinit %v: %v\n%s", args, err, out)
		}
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	password := hex.EncodeToString(secret)
	if err := os.WriteFile(pwFile, []byte(password), 0o600); err != nil {
		t.Fatal(err)
	}
	n.kubectl(ctx, "create", "secret", "generic", "kinit-tls", "--from-file="+tlsDir)
	n.kubectl(ctx, "create", "secret", "generic", "kinit-admin", "--from-file=password="+pwFile)
	n.waitReady(ctx, all, nil)
	t.Logf("%d pods Ready in %.0fs, the Secrets made after the apply", len(all), time.Since(mark).Seconds())

	pem, err := os.ReadFile(filepath.Join(tlsDir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := func(pass string, opts ...kgo.Opt) *kgo.Client {
		tlsDial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			return tls.Client(c, &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}), nil
		}
		cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers("kafka.kafka-kraft.svc:9092"), kgo.Dialer(tlsDial),
			kgo.SASL(scram.Auth{User: "admin", Pass: pass}.AsSha512Mechanism()),
			kgo.RequiredAcks(kgo.AllISRAcks())}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	const topic = "kinit-kube-secure"
	p := client(password)
	if _, err := kadm.NewClient(p).CreateTopic(ctx, 3, 3, nil, topic); err != nil {
		t.Fatalf("create an RF=3 topic over SASL_SSL: %v", err)
	}
	want := map[string]bool{}
	for i := range 20 {
		v := fmt.Sprintf("secure-%d", i)
		if err := p.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatalf("produce over SASL_SSL: %v", err)
		}
		want[v] = true
	}
	c := client(password, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	cctx, ccancel := context.WithTimeout(ctx, 2*time.Minute)
	defer ccancel()
	for len(want) > 0 && cctx.Err() == nil {
		c.PollFetches(cctx).EachRecord(func(r *kgo.Record) { delete(want, string(r.Value)) })
	}
	if len(want) > 0 {
		t.Fatalf("%d records not read back over SASL_SSL", len(want))
	}
	wrong := client("not-" + password)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if _, err := kadm.NewClient(wrong).ListTopics(wctx); err == nil {
		t.Errorf("a wrong admin password was accepted")
	}
	t.Logf("SASL_SSL round trip as admin through the headless Service; a wrong password refused")
}
