package probe_test

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fakeKafka is the least of a Kafka node a probe talks to: ApiVersions,
// SASL PLAIN (handshake and authenticate), Metadata naming itself as
// broker 1 and DescribeQuorum naming it the leader and only voter. It
// records each password it was offered, so a test sees what the probe
// read from its file at each attempt.
type fakeKafka struct {
	addr string
	port int32
	// password is the one PLAIN accepts for user "admin"; wantSASL: a
	// request other than ApiVersions and SaslHandshake before SASL
	// closes the connection, as a SASL listener does.
	password string
	wantSASL bool

	mu      sync.Mutex
	offered []string
}

// newFakeKafka listens on loopback, behind TLS when cfg is not nil.
func newFakeKafka(t *testing.T, cfg *tls.Config, password string) *fakeKafka {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		l = tls.NewListener(l, cfg)
	}
	f := &fakeKafka{addr: l.Addr().String(), port: int32(l.Addr().(*net.TCPAddr).Port), password: password, wantSASL: password != ""}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				f.serve(c)
			}()
		}
	}()
	return f
}

func (f *fakeKafka) passwords() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.offered...)
}

// serve answers one connection's requests until it closes or a request
// is refused.
func (f *fakeKafka) serve(c net.Conn) {
	r := bufio.NewReader(c)
	authed := !f.wantSASL
	for {
		var size int32
		if binary.Read(r, binary.BigEndian, &size) != nil || size < 8 || size > 1<<20 {
			return
		}
		frame := make([]byte, size)
		if _, err := io.ReadFull(r, frame); err != nil {
			return
		}
		key, version, corr, body, err := parseRequest(frame)
		if err != nil {
			return
		}
		req := kmsg.RequestForKey(key)
		if req == nil {
			return
		}
		req.SetVersion(version)
		if err := req.ReadFrom(body); err != nil {
			return
		}
		if !authed && key != kmsg.ApiVersions.Int16() && key != kmsg.SASLHandshake.Int16() && key != kmsg.SASLAuthenticate.Int16() {
			return // a SASL listener drops a client that skips SASL
		}
		resp, ok := f.answer(req, &authed)
		if resp == nil {
			return
		}
		resp.SetVersion(version)
		out := binary.BigEndian.AppendUint32(make([]byte, 4, 64), uint32(corr))
		if req.IsFlexible() && key != kmsg.ApiVersions.Int16() {
			out = append(out, 0) // response header v1: no tagged fields
		}
		out = resp.AppendTo(out)
		binary.BigEndian.PutUint32(out, uint32(len(out)-4))
		if _, err := c.Write(out); err != nil || !ok {
			return
		}
	}
}

// parseRequest splits a request frame into its header fields and body.
func parseRequest(frame []byte) (key, version int16, corr int32, body []byte, err error) {
	key = int16(binary.BigEndian.Uint16(frame))
	version = int16(binary.BigEndian.Uint16(frame[2:]))
	corr = int32(binary.BigEndian.Uint32(frame[4:]))
	rest := frame[8:]
	if len(rest) < 2 {
		return 0, 0, 0, nil, errors.New("short header")
	}
	if n := int16(binary.BigEndian.Uint16(rest)); n > 0 {
		rest = rest[2+int(n):] // client id
	} else {
		rest = rest[2:]
	}
	req := kmsg.RequestForKey(key)
	if req == nil {
		return 0, 0, 0, nil, errors.New("unknown key")
	}
	req.SetVersion(version)
	if req.IsFlexible() {
		// Header v2 ends in tagged fields; the client sends none.
		if len(rest) == 0 || rest[0] != 0 {
			return 0, 0, 0, nil, errors.New("unexpected header tags")
		}
		rest = rest[1:]
	}
	return key, version, corr, rest, nil
}

// answer is the response to req; ok false closes the connection after it.
func (f *fakeKafka) answer(req kmsg.Request, authed *bool) (resp kmsg.Response, ok bool) {
	switch r := req.(type) {
	case *kmsg.ApiVersionsRequest:
		out := kmsg.NewPtrApiVersionsResponse()
		for _, k := range []struct {
			key      kmsg.Key
			min, max int16
		}{{kmsg.ApiVersions, 0, 3}, {kmsg.SASLHandshake, 1, 1}, {kmsg.SASLAuthenticate, 0, 2}, {kmsg.Metadata, 0, 12}, {kmsg.DescribeQuorum, 0, 1}} {
			out.ApiKeys = append(out.ApiKeys, kmsg.ApiVersionsResponseApiKey{ApiKey: k.key.Int16(), MinVersion: k.min, MaxVersion: k.max})
		}
		return out, true
	case *kmsg.SASLHandshakeRequest:
		out := kmsg.NewPtrSASLHandshakeResponse()
		out.SupportedMechanisms = []string{"PLAIN"}
		if r.Mechanism != "PLAIN" {
			out.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		}
		return out, true
	case *kmsg.SASLAuthenticateRequest:
		// PLAIN: authzid NUL user NUL password.
		parts := strings.Split(string(r.SASLAuthBytes), "\x00")
		out := kmsg.NewPtrSASLAuthenticateResponse()
		if len(parts) != 3 {
			out.ErrorCode = kerr.IllegalSaslState.Code
			return out, false
		}
		f.mu.Lock()
		f.offered = append(f.offered, parts[2])
		f.mu.Unlock()
		if parts[1] != "admin" || parts[2] != f.password {
			out.ErrorCode = kerr.SaslAuthenticationFailed.Code
			msg := "Authentication failed: Invalid username or password"
			out.ErrorMessage = &msg
			return out, false
		}
		*authed = true
		return out, true
	case *kmsg.MetadataRequest:
		out := kmsg.NewPtrMetadataResponse()
		out.Brokers = []kmsg.MetadataResponseBroker{{NodeID: 1, Host: "127.0.0.1", Port: f.port}}
		out.ControllerID = 1
		return out, true
	case *kmsg.DescribeQuorumRequest:
		out := kmsg.NewPtrDescribeQuorumResponse()
		t := kmsg.NewDescribeQuorumResponseTopic()
		t.Topic = "__cluster_metadata"
		p := kmsg.NewDescribeQuorumResponseTopicPartition()
		p.LeaderID, p.LeaderEpoch = 1, 1
		voter := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
		voter.ReplicaID = 1
		p.CurrentVoters = []kmsg.DescribeQuorumResponseTopicPartitionReplicaState{voter}
		t.Partitions = append(t.Partitions, p)
		out.Topics = append(out.Topics, t)
		return out, true
	}
	return nil, false
}
