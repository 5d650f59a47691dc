package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// jvmTimeout bounds one agent's answer: a JVM stalled in a collection must
// not hold up the node's other samples for long.
func jvmTimeout(interval time.Duration) time.Duration {
	return min(max(interval/2, 500*time.Millisecond), 3*time.Second)
}

// jvmDocs reads each running JVM that carries an agent: one document per
// JVM, under Metricbeat's kafka.broker (broker, controller) or
// zookeeper.mntr fields, with the JVM's heap and collectors.
func (c *Collector) jvmDocs(now time.Time, svcs []Service) []*Document {
	var docs []*Document
	for _, s := range svcs {
		port, ok := c.agents[s.ID]
		if !ok || s.Pid == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), jvmTimeout(c.cfg.Interval))
		sample, err := c.jolokia.read(ctx, port, s.Type)
		cancel()
		if err != nil {
			// A JVM that is starting has no agent listening yet; one that
			// is ready and does not answer is worth a line, once.
			if s.Ready {
				c.shipper.logOnce("jolokia-"+s.ID, slog.LevelWarn, "kinit: cannot read the JVM's metrics through its agent",
					"service", s.ID, "port", port, "error", err.Error())
			}
			c.setNote(s.ID, "")
			continue
		}
		d := c.jvmDoc(now, s, sample)
		docs = append(docs, d)
		c.setNote(s.ID, brokerNote(sample.Fields))
	}
	return docs
}

func (c *Collector) jvmDoc(now time.Time, s Service, sample JVMSample) *Document {
	name := s.Name
	if name == "" {
		name = s.ID
	}
	module, set := "kafka", "broker"
	if s.Type == "zookeeper" {
		module, set = "zookeeper", "mntr"
	}
	d := &Document{
		Timestamp: now.UTC(),
		ECS:       ECSFields{ecsVersion},
		Host:      HostFields{c.node.Name, c.node.Hostname},
		Service:   &ServiceFields{ID: s.ID, Name: name, Type: s.Type, State: s.State},
		Event:     EventFields{Kind: "metric", Dataset: module + "." + set, Module: module},
		Metricset: &MetricsetFields{Name: set},
		Kafka:     nest(sample.Fields, "kafka."),
		ZooKeeper: nest(sample.Fields, "zookeeper."),
		Kinit:     nodeFields(c.node),
	}
	d.Kinit.JVM = nest(sample.Fields, "kinit.jvm.")
	if id, ok := c.brokerIDs[s.ID]; ok {
		if d.Kafka == nil {
			d.Kafka = map[string]any{}
		}
		b, _ := d.Kafka["broker"].(map[string]any)
		if b == nil {
			b = map[string]any{}
			d.Kafka["broker"] = b
		}
		b["id"] = id
	}
	if sample.ServerState != "" {
		if d.ZooKeeper == nil {
			d.ZooKeeper = map[string]any{}
		}
		m, _ := d.ZooKeeper["mntr"].(map[string]any)
		if m == nil {
			m = map[string]any{}
			d.ZooKeeper["mntr"] = m
		}
		m["server_state"] = sample.ServerState
	}
	return d
}

// brokerNote is what `kinit status` shows beside a Kafka service: under
// replicated and offline partitions and whether it is the active
// controller, as far as its JVM has them.
func brokerNote(f map[string]any) string {
	var out string
	add := func(s string) {
		if out != "" {
			out += ", "
		}
		out += s
	}
	if v, ok := f["kafka.broker.replication.under_replicated_partitions"]; ok {
		add(fmt.Sprintf("URP %v", v))
	}
	if v, ok := f["kafka.broker.replication.offline_partitions"]; ok {
		add(fmt.Sprintf("offline %v", v))
	}
	if v, ok := f["kafka.broker.controller.active"].(int64); ok {
		if v > 0 {
			add("active controller")
		} else {
			add("not controller")
		}
	}
	return out
}

func (c *Collector) setNote(id, note string) {
	c.notesMu.Lock()
	defer c.notesMu.Unlock()
	if c.notes == nil {
		c.notes = map[string]string{}
	}
	c.notes[id] = note
}

// Note is the latest at-a-glance numbers of a Kafka service ("" when none
// were read); safe from any goroutine.
func (c *Collector) Note(id string) string {
	if c == nil {
		return ""
	}
	c.notesMu.Lock()
	defer c.notesMu.Unlock()
	return c.notes[id]
}

// clusterDocs are the consumer group and partition documents, when the
// local broker is ready and the elected one.
func (c *Collector) clusterDocs(now time.Time, svcs []Service) []*Document {
	r := c.clReader
	if r == nil {
		return nil
	}
	ready := false
	for _, s := range svcs {
		if s.ID == r.c.ServiceID {
			ready = s.Ready
		}
	}
	if !ready {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout(c.cfg.Interval))
	defer cancel()
	elected, err := r.elected(ctx)
	if err != nil {
		c.shipper.logOnce("cluster", slog.LevelWarn, "kinit: cannot read the cluster's metadata for consumer group lag", "error", err.Error())
		r.Close() // a new client at the next pass
		return nil
	}
	if !elected {
		return nil
	}
	base := func(dataset string) *Document {
		module, set, _ := strings.Cut(dataset, ".")
		return &Document{
			Timestamp: now.UTC(),
			ECS:       ECSFields{ecsVersion},
			Host:      HostFields{c.node.Name, c.node.Hostname},
			Service:   &ServiceFields{ID: r.c.ServiceID, Name: r.c.ServiceID, Type: "kafka"},
			Event:     EventFields{Kind: "metric", Dataset: dataset, Module: module},
			Metricset: &MetricsetFields{Name: set},
			Kinit:     nodeFields(c.node),
		}
	}
	docs, err := r.read(ctx, base)
	if err != nil {
		c.shipper.logOnce("cluster-read", slog.LevelWarn, "kinit: cannot read the cluster's consumer groups and partitions", "error", err.Error())
	}
	return docs
}
