package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// rollsPerRun: with KINIT_CDS=on a Java 17 JVM writes its archive when it
// exits, so the first roll's stops write the brokers' archives, the
// second's starts map them (its stops write them again) and the third is
// the steady state. The same three rolls run with it off.
const rollsPerRun = 3

// BenchmarkRollingReload times a rolling reload of the TestThreeHosts
// cluster (three hosts, ZooKeeper and a broker on each, a topic with
// replication factor 3 and min.insync.replicas 2): one change to the
// broker's template every node reads, after which each node restarts its
// broker when the cluster can spare it, so the three go one at a time.
// It reports, per KINIT_CDS setting, each roll's time from the change to
// the last broker ready again, and each broker's stop -> ready in the
// last roll. Run it with `make bench-roll`; it asserts no figure.
func BenchmarkRollingReload(b *testing.B) {
	for _, cds := range []string{"off", "on"} {
		b.Run("KINIT_CDS="+cds, func(b *testing.B) {
			for b.Loop() {
				rollingReload(b, cds)
			}
		})
	}
}

func rollingReload(b *testing.B, cds string) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c, cm, nodes := zkHosts(b, "KINIT_CDS="+cds, "KINIT_LOG_FORMAT=json")
	for _, n := range nodes {
		n.waitReady(ctx, b)
	}
	p := producer(b, c, c.Hosts[0].FQDN+":9092")
	minISR := "2"
	const topic = "kinit-roll"
	createTopic(ctx, b, p, topic, 3, 3, map[string]*string{"min.insync.replicas": &minISR})
	adm := kadm.NewClient(p)
	waitPartitions(ctx, b, adm, topic, "three in-sync replicas", allISR(3))
	if err := produce(ctx, p, topic, 3, values("roll", 300)); err != nil {
		b.Fatal(err)
	}

	tmpl := filepath.Join(cm, "templates", "server.properties")
	const key = "log.retention.check.interval.ms="
	var last rollResult
	for r := 1; r <= rollsPerRun; r++ {
		restarts := make([]int, len(nodes))
		for i, n := range nodes {
			restarts[i] = n.waitReady(ctx, b).service("kafka-broker").Restarts
		}
		old, err := os.ReadFile(tmpl)
		if err != nil {
			b.Fatal(err)
		}
		// One value per roll: 300000 is the template's, each roll adds one.
		changed := strings.Replace(string(old), fmt.Sprintf("%s%d", key, 300000+r-1), fmt.Sprintf("%s%d", key, 300000+r), 1)
		if changed == string(old) {
			b.Fatalf("the broker template has no %s line to change", key)
		}
		t0 := time.Now()
		if err := os.WriteFile(tmpl, []byte(changed), 0o644); err != nil {
			b.Fatal(err)
		}
		var res rollResult
		for i, n := range nodes {
			st := n.waitStatus(ctx, b, "the broker restarted and ready", func(s *status) bool {
				return s.Ready && s.service("kafka-broker").Restarts > restarts[i]
			})
			ready := st.service("kafka-broker").ReadyAt
			stopping, err := brokerStopAt(n, t0)
			if err != nil {
				b.Fatal(err)
			}
			res.brokers = append(res.brokers, brokerRoll{id: i + 1, stopping: stopping, ready: ready})
			res.total = max(res.total, ready.Sub(t0))
		}
		waitPartitions(ctx, b, adm, topic, "three in-sync replicas after the roll", allISR(3))
		b.Logf("KINIT_CDS=%s, roll %d: change -> last broker ready %s; %s", cds, r, res.total.Round(time.Millisecond), res)
		b.ReportMetric(res.total.Seconds(), fmt.Sprintf("roll%d-s", r))
		last = res
	}
	for _, br := range last.brokers {
		b.ReportMetric(br.ready.Sub(br.stopping).Seconds(), fmt.Sprintf("broker%d-stop-ready-s", br.id))
	}
}

type brokerRoll struct {
	id              int
	stopping, ready time.Time
}

type rollResult struct {
	total   time.Duration
	brokers []brokerRoll
}

func (r rollResult) String() string {
	var parts []string
	for _, br := range r.brokers {
		parts = append(parts, fmt.Sprintf("broker %d stop -> ready %s", br.id, br.ready.Sub(br.stopping).Round(time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}

// brokerStopAt is when the node's kinit began stopping its broker after
// since, read from its JSON log.
func brokerStopAt(n *node, since time.Time) (time.Time, error) {
	sc := bufio.NewScanner(strings.NewReader(n.proc.Output()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var at time.Time
	for sc.Scan() {
		var l struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == `stopping service "kafka-broker"` && l.Time.After(since) {
			at = l.Time
		}
	}
	if at.IsZero() {
		return at, fmt.Errorf("%s: no stop of kafka-broker logged after %s", n.host.Name, since.Format(time.RFC3339Nano))
	}
	return at, nil
}
