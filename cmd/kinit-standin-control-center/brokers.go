package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Broker is one broker as the cluster's metadata names it.
type Broker struct {
	ID   int32
	Host string
	Port int32
}

func (b Broker) String() string { return fmt.Sprintf("%d@%s:%d", b.ID, b.Host, b.Port) }

// Cluster is what a Metadata response says about the cluster.
type Cluster struct {
	ID         string
	Controller int32
	Brokers    []Broker
}

// BootstrapAddrs turns a Kafka bootstrap list into host:port seeds. Entries
// may carry a security protocol ("SASL_SSL://b1:9093"); one that is not the
// configured protocol is an error rather than a connection that hangs.
func BootstrapAddrs(servers []string, proto Protocol) ([]string, error) {
	if len(servers) == 0 {
		return nil, fmt.Errorf("no bootstrap servers")
	}
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		if i := strings.Index(s, "://"); i >= 0 {
			if p := Protocol(strings.ToUpper(s[:i])); p != proto {
				return nil, fmt.Errorf("bootstrap server %q: its protocol is not %s, the configured %ssecurity.protocol", s, proto, StreamsPrefix)
			}
			u, err := url.Parse("kafka://" + s[i+3:])
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("cannot parse bootstrap server %q", s)
			}
			s = u.Host
		}
		if !strings.Contains(s, ":") {
			return nil, fmt.Errorf("bootstrap server %q: want host:port", s)
		}
		out = append(out, s)
	}
	return out, nil
}

// Describe sends one Metadata request (after the client's ApiVersions
// handshake, TLS and SASL as sec says) to the seeds and returns the
// brokers it names. A refusal of the credentials or of the TLS handshake
// is a *RefusedError.
func Describe(ctx context.Context, seeds []string, sec Security) (Cluster, error) {
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DialTimeout(3 * time.Second),
		kgo.RequestRetries(0),
		kgo.MetadataMinAge(time.Second),
	}, sec.KafkaOpts()...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return Cluster{}, fmt.Errorf("cannot create kafka client: %w", err)
	}
	defer cl.Close()
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{} // no topics, just brokers
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return Cluster{}, refused(err, sec)
	}
	c := Cluster{Controller: resp.ControllerID}
	if resp.ClusterID != nil {
		c.ID = *resp.ClusterID
	}
	for _, b := range resp.Brokers {
		c.Brokers = append(c.Brokers, Broker{ID: b.NodeID, Host: b.Host, Port: b.Port})
	}
	if len(c.Brokers) == 0 {
		return c, errors.New("metadata names no brokers")
	}
	return c, nil
}

// WaitForBrokers calls Describe until it succeeds or wait has passed,
// logging each failure, so a stand-in started a little before its brokers
// still comes up, and one pointed at nothing exits with a clear message.
// Refused credentials or TLS end the wait at once: retrying the same
// settings cannot pass.
func WaitForBrokers(ctx context.Context, log *Logger, seeds []string, sec Security, wait time.Duration) (Cluster, error) {
	deadline := time.Now().Add(wait)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	list := strings.Join(seeds, ",")
	for attempt := 1; ; attempt++ {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := Describe(actx, seeds, sec)
		acancel()
		if err == nil {
			return c, nil
		}
		var r *RefusedError
		if errors.As(err, &r) {
			return Cluster{}, fmt.Errorf("cannot connect to kafka brokers %s: %w", list, err)
		}
		if ctx.Err() != nil || time.Until(deadline) <= 0 {
			return Cluster{}, fmt.Errorf("cannot reach kafka brokers %s within %s (%d attempts): %w",
				list, wait, attempt, err)
		}
		log.Warnf("kafka brokers %s not reachable yet (attempt %d): %v", list, attempt, err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
