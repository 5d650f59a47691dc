package plan_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kinit/kinit/plan"
)

// Each rule's error names the key path of the value that breaks it, so a
// loader can put file:line in front of it.
func TestValidateKeyPaths(t *testing.T) {
	ok := func() plan.Service { return plan.Service{ID: "kafka-broker", Argv: []string{"/bin/true"}} }
	tests := []struct {
		name string
		edit func(*plan.Service)
		want string
	}{
		{"probe timeout", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeTCP, Address: "x:1", Timeout: -time.Second}
		}, "services.kafka-broker.probe: durations must not be negative"},
		{"policy", func(s *plan.Service) { s.Restart.Policy = "sometimes" }, "services.kafka-broker.restart.policy: unknown restart policy"},
		{"kafka mode", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeKafka, Mode: "kraft2", Bootstrap: []string{"b:9092"}}
		}, "services.kafka-broker.probe.mode: kafka: unknown mode"},
		{"remote wait probe", func(s *plan.Service) {
			s.Waits = []plan.Wait{{Service: "zookeeper", Remote: []plan.Probe{{Kind: plan.ProbeTCP, Address: "zk"}}}}
		}, "services.kafka-broker.waits[0].remote[0].address: tcp: address \"zk\" is not host:port"},
		{"unregistered without id", func(s *plan.Service) {
			s.Waits = []plan.Wait{{Service: "gate", Remote: []plan.Probe{{Kind: plan.ProbeKafka, Mode: plan.KafkaUnregistered, ZKConnect: "zk:2181"}}}}
		}, "services.kafka-broker.waits[0].remote[0].broker_id: kafka: unregistered needs a broker id"},
		{"stop signal", func(s *plan.Service) { s.StopSignal = 99 }, "services.kafka-broker.stop_signal: unknown stop signal 99"},
		{"forward", func(s *plan.Service) { s.ForwardSignals = []plan.Signal{plan.Signal(unix.SIGTERM)} },
			"services.kafka-broker.forward_signals: SIGTERM cannot be forwarded"},
		{"sasl mechanism", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeKafka, Mode: plan.KafkaKRaft, Bootstrap: []string{"b:9092"},
				Security: &plan.Security{SASL: &plan.SASL{Mechanism: "GSSAPI", Username: "admin", PasswordFile: "/run/pw"}}}
		}, `services.kafka-broker.probe.security.sasl.mechanism: unknown SASL mechanism "GSSAPI"`},
		{"sasl password file", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeKafka, Mode: plan.KafkaKRaft, Bootstrap: []string{"b:9092"},
				Security: &plan.Security{SASL: &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: "admin", PasswordFile: "pw"}}}
		}, `services.kafka-broker.probe.security.sasl.password_file: "pw" is not an absolute path`},
		{"client cert without key", func(s *plan.Service) {
			s.Waits = []plan.Wait{{Service: "kafka", Remote: []plan.Probe{{Kind: plan.ProbeKafka, Mode: plan.KafkaKRaft,
				Bootstrap: []string{"b:9092"}, Security: &plan.Security{TLS: &plan.TLS{CertFile: "/tls/tls.crt"}}}}}}
		}, "services.kafka-broker.waits[0].remote[0].security.tls: cert_file and key_file go together"},
		{"tcp does not authenticate", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeTCP, Address: "x:1", Security: &plan.Security{TLS: &plan.TLS{}}}
		}, "services.kafka-broker.probe.security: tcp: only kafka, zookeeper and http probes authenticate"},
		{"zookeeper probe with SASL", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeZooKeeper, Address: "zk:2182",
				Security: &plan.Security{TLS: &plan.TLS{CAFile: "/tls/ca.crt"}, SASL: &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: "admin", PasswordFile: "/run/pw"}}}
		}, "services.kafka-broker.probe.security.sasl: zookeeper: ZooKeeper connections take TLS only, not SASL"},
		{"kafka in ZooKeeper mode with SASL", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeKafka, ZKConnect: "zk:2182",
				Security: &plan.Security{SASL: &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: "admin", PasswordFile: "/run/pw"}}}
		}, "services.kafka-broker.probe.security.sasl: kafka: ZooKeeper connections take TLS only, not SASL"},
		{"unregistered gate with SASL", func(s *plan.Service) {
			id := 1
			s.Waits = []plan.Wait{{Service: "gate", Remote: []plan.Probe{{Kind: plan.ProbeKafka, Mode: plan.KafkaUnregistered, ZKConnect: "zk:2182", BrokerID: &id,
				Security: &plan.Security{SASL: &plan.SASL{Mechanism: plan.SCRAMSHA256, Username: "admin", PasswordFile: "/run/pw"}}}}}}
		}, "services.kafka-broker.waits[0].remote[0].security.sasl: kafka: ZooKeeper connections take TLS only, not SASL"},
		{"exec does not authenticate", func(s *plan.Service) {
			s.Probe = &plan.Probe{Kind: plan.ProbeExec, Command: []string{"/bin/true"}, Security: &plan.Security{TLS: &plan.TLS{}}}
		}, "services.kafka-broker.probe.security: exec: only kafka, zookeeper and http probes authenticate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.edit(&s)
			p := plan.Plan{Services: []plan.Service{s}}
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			var pe *plan.PathError
			if !errors.As(err, &pe) || !strings.HasPrefix(pe.Path, "services.kafka-broker") {
				t.Fatalf("%v: want a *PathError under services.kafka-broker", err)
			}
		})
	}
}

// A plan built by hand runs what kinit.toml's defaults give a service:
// the one defaults table.
func TestWithDefaults(t *testing.T) {
	in := plan.Plan{Services: []plan.Service{{ID: "a", Argv: []string{"x"},
		Probe: &plan.Probe{Kind: plan.ProbeKafka, ZKConnect: "zk:2181"}}}}
	got := in.WithDefaults()
	s := got.Services[0]
	if s.Restart.Policy != plan.PolicyOnFailure || s.Grace != 30*time.Second || s.Probe.Timeout != 5*time.Second ||
		s.StopSignal != plan.Signal(unix.SIGTERM) || s.Name != "a" || got.StopTimeout != plan.DefaultStopTimeout ||
		s.Probe.Mode != plan.KafkaZK || s.Probe.FailureThreshold != plan.DefaultFailureThreshold {
		t.Fatalf("defaults not applied: %+v, probe %+v", s, *s.Probe)
	}
	if in.Services[0].Probe.Timeout != 0 || in.Services[0].Grace != 0 {
		t.Fatal("WithDefaults changed its input")
	}
	if st := s.Probe.StartTimeout; st != 0 {
		t.Fatalf("start timeout %s: 0 means no limit in a plan and stays 0", st)
	}
}

func TestCycle(t *testing.T) {
	svc := func(id, wait string) plan.Service {
		return plan.Service{ID: id, Argv: []string{"x"}, Waits: []plan.Wait{{Service: wait, Local: true}}}
	}
	p := plan.Plan{Services: []plan.Service{svc("a", "c"), svc("b", "a"), svc("c", "b")}}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "cycle: a -> c -> b -> a") {
		t.Fatalf("got %v", err)
	}
}

// Signals are parsed once, from any of kinit.toml's spellings, and a
// plan's JSON shows their names.
func TestSignalText(t *testing.T) {
	for _, in := range []string{"SIGINT", "int", "2"} {
		sig, err := plan.ParseSignal(in)
		if err != nil || sig != plan.Signal(unix.SIGINT) {
			t.Errorf("ParseSignal(%q) = %v, %v", in, sig, err)
		}
	}
	if _, err := plan.ParseSignal("SIGFOO"); err == nil || !strings.Contains(err.Error(), `unknown signal "SIGFOO"`) {
		t.Errorf("SIGFOO: %v", err)
	}
	s := plan.Service{ID: "a", StopSignal: plan.Signal(unix.SIGQUIT), ForwardSignals: []plan.Signal{plan.Signal(unix.SIGHUP)}}
	b, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(b), `"stop_signal":"SIGQUIT","forward_signals":["SIGHUP"]`) {
		t.Fatalf("%s, %v", b, err)
	}
	var back plan.Service
	if err := json.Unmarshal(b, &back); err != nil || back.StopSignal != s.StopSignal || back.ForwardSignals[0] != s.ForwardSignals[0] {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"stop_signal":"SIGNOPE"}`), &back); err == nil {
		t.Fatal("an unknown signal name was read")
	}
}

// TLS reaches ZooKeeper from a zookeeper probe and from a kafka probe in
// a ZooKeeper mode (KafkaZK, also as the empty mode, and
// KafkaUnregistered); SASL stays for the KRaft modes.
func TestValidateZooKeeperTLS(t *testing.T) {
	id := 1
	tlsOnly := func() *plan.Security {
		return &plan.Security{TLS: &plan.TLS{CAFile: "/tls/ca.crt", CertFile: "/tls/tls.crt", KeyFile: "/tls/tls.key"}}
	}
	for _, p := range []plan.Probe{
		{Kind: plan.ProbeZooKeeper, Address: "zk:2182", Security: tlsOnly()},
		{Kind: plan.ProbeZooKeeper, ZKConnect: "zk-1:2182,zk-2:2182/kafka", Security: tlsOnly()},
		{Kind: plan.ProbeKafka, ZKConnect: "zk:2182", Security: tlsOnly()},
		{Kind: plan.ProbeKafka, Mode: plan.KafkaZK, ZKConnect: "zk:2182", Security: tlsOnly()},
		{Kind: plan.ProbeKafka, Mode: plan.KafkaUnregistered, ZKConnect: "zk:2182", BrokerID: &id, Security: tlsOnly()},
		{Kind: plan.ProbeKafka, Mode: plan.KafkaKRaft, Bootstrap: []string{"b:9093"}, Security: &plan.Security{
			TLS: &plan.TLS{CAFile: "/tls/ca.crt"}, SASL: &plan.SASL{Mechanism: plan.SCRAMSHA512, Username: "admin", PasswordFile: "/run/pw"}}},
	} {
		pl := plan.Plan{Services: []plan.Service{{ID: "a", Argv: []string{"x"}, Probe: &p}}}
		if err := pl.Validate(); err != nil {
			t.Errorf("%s probe (mode %q): %v", p.Kind, p.Mode, err)
		}
	}
}
