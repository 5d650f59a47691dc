package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxJolokiaBody bounds what kinit reads from an agent: a broker's answer
// to every request of jvmFields is about 3 KiB.
const maxJolokiaBody = 1 << 20

// jolokia reads jvmFields from the agents on the node's loopback. It keeps
// no state between reads but its connections.
type jolokia struct {
	http *http.Client
}

func newJolokia(timeout time.Duration) *jolokia {
	tr := &http.Transport{
		Proxy:               nil, // the agent is on loopback: never through a proxy
		DialContext:         (&net.Dialer{Timeout: time.Second}).DialContext,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     time.Minute,
	}
	return &jolokia{http: &http.Client{Transport: tr, Timeout: timeout}}
}

type jolokiaRequest struct {
	Type      string   `json:"type"`
	MBean     string   `json:"mbean"`
	Attribute []string `json:"attribute"`
}

type jolokiaResponse struct {
	Status int             `json:"status"`
	Value  json.RawMessage `json:"value"`
	Error  string          `json:"error"`
}

// requests is one read per MBean the kind's fields name, each with the
// attributes wanted from it.
func jolokiaRequests(kind string) []jolokiaRequest {
	var out []jolokiaRequest
	at := map[string]int{}
	for _, f := range jvmFields {
		if !f.readsFrom(kind) {
			continue
		}
		i, ok := at[f.MBean]
		if !ok {
			i = len(out)
			at[f.MBean] = i
			out = append(out, jolokiaRequest{Type: "read", MBean: f.MBean})
		}
		if a := f.attrName(); !contains(out[i].Attribute, a) {
			out[i].Attribute = append(out[i].Attribute, a)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// JVMSample is what one agent answered, as document fields by their dotted
// names. ServerState is ZooKeeper's role, from its MBeans' names.
type JVMSample struct {
	Fields      map[string]any
	ServerState string
}

// read asks the agent on 127.0.0.1:port for the kind's fields in one bulk
// request. A field whose MBean or attribute the JVM lacks is left out.
func (j *jolokia) read(ctx context.Context, port int, kind string) (JVMSample, error) {
	reqs := jolokiaRequests(kind)
	body, _ := json.Marshal(reqs) // strings only
	url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/jolokia/?ignoreErrors=true"
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return JVMSample{}, err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := j.http.Do(hr)
	if err != nil {
		return JVMSample{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxJolokiaBody))
	if err != nil {
		return JVMSample{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return JVMSample{}, fmt.Errorf("agent answered %s", resp.Status)
	}
	var rs []jolokiaResponse
	if err := json.Unmarshal(raw, &rs); err != nil {
		return JVMSample{}, fmt.Errorf("agent answered no bulk response: %w", err)
	}
	if len(rs) != len(reqs) {
		return JVMSample{}, fmt.Errorf("agent answered %d of %d reads", len(rs), len(reqs))
	}
	return sampleFrom(kind, reqs, rs), nil
}

// sampleFrom maps the agent's answers onto jvmFields. A pattern's matches
// are summed (the collectors of a JVM; the one ZooKeeper MBean that has a
// given attribute).
func sampleFrom(kind string, reqs []jolokiaRequest, rs []jolokiaResponse) JVMSample {
	s := JVMSample{Fields: map[string]any{}}
	values := map[string]map[string]any{} // mbean -> attribute -> value
	for i, r := range rs {
		if r.Status != http.StatusOK {
			continue
		}
		mbean := reqs[i].MBean
		var v map[string]any
		if json.Unmarshal(r.Value, &v) != nil {
			continue
		}
		if !strings.Contains(mbean, "*") {
			values[mbean] = v
			continue
		}
		sum := map[string]any{}
		for name, attrs := range v {
			if kind == "zookeeper" {
				s.ServerState = zkState(name, s.ServerState)
			}
			m, ok := attrs.(map[string]any)
			if !ok {
				continue
			}
			for a, x := range m {
				n, ok := x.(float64)
				if !ok {
					continue
				}
				if prev, ok := sum[a].(float64); ok {
					n += prev
				}
				sum[a] = n
			}
		}
		values[mbean] = sum
	}
	for _, f := range jvmFields {
		if !f.readsFrom(kind) {
			continue
		}
		attr, key, composite := strings.Cut(f.Attr, ".")
		x, ok := values[f.MBean][attr]
		if composite {
			m, _ := x.(map[string]any)
			x, ok = m[key]
		}
		n, isNum := x.(float64)
		if !ok || !isNum {
			continue
		}
		if f.Long {
			s.Fields[f.Field] = int64(n)
		} else {
			s.Fields[f.Field] = round4(n)
		}
	}
	return s
}

// zkState reads ZooKeeper's role from one of its MBean names: a replicated
// server's peer MBean is name2=Leader or name2=Follower, a standalone
// server's name0=StandaloneServer_port….
func zkState(name, prev string) string {
	switch {
	case strings.Contains(name, "name2=Leader"):
		return "leader"
	case strings.Contains(name, "name2=Follower"):
		return "follower"
	case strings.Contains(name, "name2=Observer"):
		return "observer"
	case prev == "" && strings.Contains(name, "StandaloneServer"):
		return "standalone"
	}
	return prev
}

// nest turns dotted fields into the nested objects a document carries,
// rooted at prefix ("kafka." -> the kafka object).
func nest(fields map[string]any, prefix string) map[string]any {
	var out map[string]any
	for k, v := range fields {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		m := out
		parts := strings.Split(rest, ".")
		for _, p := range parts[:len(parts)-1] {
			next, _ := m[p].(map[string]any)
			if next == nil {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}
