package probe_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/supervisor/probe"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "4lw", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseSrvr(t *testing.T) {
	tests := []struct {
		file    string
		mode    string
		version string
		serving bool
		err     error
	}{
		{"srvr-standalone", "standalone", "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c", true, nil},
		{"srvr-leader", "leader", "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c", true, nil},
		{"srvr-follower", "follower", "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c", true, nil},
		{"srvr-observer", "observer", "3.6.4--d65253dcf68e9097c6e95a126463fd5fdeb4521c", true, nil},
		{"srvr-not-serving", "", "", false, probe.ErrNotServing},
		{"srvr-not-whitelisted", "", "", false, probe.ErrNotWhitelisted},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := probe.ParseSrvr(fixture(t, tt.file))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if s.Mode != tt.mode || s.Version != tt.version || s.Serving() != tt.serving {
				t.Fatalf("got %+v serving=%v", s, s.Serving())
			}
		})
	}
	if _, err := probe.ParseSrvr("garbage\n"); err == nil {
		t.Fatal("no error for a reply without Mode")
	}
}

func TestParseRuok(t *testing.T) {
	tests := []struct {
		reply string
		err   error
	}{
		{fixture(t, "ruok-imok"), nil},
		{fixture(t, "ruok-not-whitelisted"), probe.ErrNotWhitelisted},
	}
	for _, tt := range tests {
		if err := probe.ParseRuok(tt.reply); !errors.Is(err, tt.err) {
			t.Errorf("ParseRuok(%q) = %v, want %v", tt.reply, err, tt.err)
		}
	}
	if err := probe.ParseRuok("imnotok"); err == nil {
		t.Error("no error for a wrong ruok reply")
	}
}

// fourLetterServer answers each four-letter word with a recorded reply and
// closes the connection, as ZooKeeper does.
func fourLetterServer(t *testing.T, replies map[string]string) string {
	t.Helper()
	return holdingServer(t, replies, nil)
}

// holdingServer is fourLetterServer that keeps the connection open after
// answering the words in hold, as ZooKeeper 3.8 does when a word comes
// before its database is loaded.
func holdingServer(t *testing.T, replies map[string]string, hold map[string]bool) string {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				word := make([]byte, 4)
				if _, err := io.ReadFull(c, word); err != nil {
					return
				}
				_, _ = io.WriteString(c, replies[string(word)])
				if hold[string(word)] {
					<-release
				}
			}()
		}
	}()
	return l.Addr().String()
}

func TestZooKeeperProbe(t *testing.T) {
	tests := []struct {
		name    string
		replies map[string]string
		reason  string // "" means ready
	}{
		{"standalone", map[string]string{"ruok": fixture(t, "ruok-imok"), "srvr": fixture(t, "srvr-standalone")}, ""},
		{"follower", map[string]string{"ruok": fixture(t, "ruok-imok"), "srvr": fixture(t, "srvr-follower")}, ""},
		{"no quorum", map[string]string{"ruok": fixture(t, "ruok-imok"), "srvr": fixture(t, "srvr-not-serving")}, "not serving (no quorum)"},
		{"not ok", map[string]string{"ruok": "", "srvr": fixture(t, "srvr-leader")}, "is not ok"},
		// Without whitelisted words the probe needs a real session, which
		// this replaying server cannot give.
		{"only srvr whitelisted", map[string]string{"ruok": fixture(t, "ruok-not-whitelisted"), "srvr": fixture(t, "srvr-leader")}, ""},
		{"nothing whitelisted", map[string]string{"ruok": fixture(t, "ruok-not-whitelisted"), "srvr": fixture(t, "srvr-not-whitelisted")}, "session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := fourLetterServer(t, tt.replies)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			err := probe.ZooKeeper{Addr: addr}.Check(ctx)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("not ready: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.reason) && !strings.Contains(err.Error(), "not answering") {
				t.Fatalf("error %v, want one about %q", err, tt.reason)
			}
			if s := probe.Summary(err); !strings.HasPrefix(s, addr+" ") {
				t.Fatalf("summary %q does not name %s", s, addr)
			}
		})
	}
}

func TestParseConnect(t *testing.T) {
	tests := []struct {
		in      string
		servers []string
		chroot  string
	}{
		{"zk1:2181,zk2:2181,zk3:2181", []string{"zk1:2181", "zk2:2181", "zk3:2181"}, ""},
		{"zk1:2181,zk2:2181/kafka", []string{"zk1:2181", "zk2:2181"}, "/kafka"},
		{"zk1,zk2:2182/a/b/", []string{"zk1:2181", "zk2:2182"}, "/a/b"},
		{"zk1:2181/", []string{"zk1:2181"}, ""},
	}
	for _, tt := range tests {
		servers, chroot := probe.ParseConnect(tt.in)
		if strings.Join(servers, ",") != strings.Join(tt.servers, ",") || chroot != tt.chroot {
			t.Errorf("ParseConnect(%q) = %v %q, want %v %q", tt.in, servers, chroot, tt.servers, tt.chroot)
		}
	}
}

func FuzzParseSrvr(f *testing.F) {
	for _, name := range []string{"srvr-standalone", "srvr-leader", "srvr-follower", "srvr-observer", "srvr-not-serving", "srvr-not-whitelisted"} {
		b, err := os.ReadFile(filepath.Join("testdata", "4lw", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, reply string) {
		s, err := probe.ParseSrvr(reply)
		if err == nil && s.Mode == "" {
			t.Fatalf("no error but no mode for %q", reply)
		}
		if s.Serving() && err != nil {
			t.Fatalf("serving with an error for %q", reply)
		}
	})
}

func TestParseMntr(t *testing.T) {
	tests := []struct {
		file       string
		state      string
		ephemerals int
		err        error
	}{
		{"mntr-standalone", "standalone", 0, nil},
		{"mntr-one-ephemeral", "standalone", 1, nil},
		{"srvr-not-serving", "", 0, probe.ErrNotServing},
		{"ruok-not-whitelisted", "", 0, probe.ErrNotWhitelisted},
	}
	for _, tt := range tests {
		m, err := probe.ParseMntr(fixture(t, tt.file))
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%s: error %v, want %v", tt.file, err, tt.err)
			continue
		}
		if m.State != tt.state || m.Ephemerals != tt.ephemerals {
			t.Errorf("%s: %+v, want state %q and %d ephemerals", tt.file, m, tt.state, tt.ephemerals)
		}
	}
	if _, err := probe.ParseMntr(fixture(t, "srvr-standalone")); err == nil {
		t.Error("a srvr reply parsed as mntr")
	}
}

// The Unregistered gate passes on mntr's word alone only when the data
// tree holds no ephemeral node; otherwise it must ask for the znode in a
// session, which a server that answers only four-letter words refuses. A
// server not serving yet fails the attempt at once, without a session.
func TestUnregisteredGateAsksMntrFirst(t *testing.T) {
	id := 1
	for _, tt := range []struct {
		mntr string
		pass bool
	}{
		{"mntr-standalone", true},
		{"mntr-one-ephemeral", false},
		{"srvr-not-serving", false},
		{"ruok-not-whitelisted", false},
	} {
		addr := fourLetterServer(t, map[string]string{"mntr": fixture(t, tt.mntr)})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := probe.KafkaZK{Connect: addr, BrokerID: &id, Unregistered: true}.Check(ctx)
		cancel()
		if (err == nil) != tt.pass {
			t.Errorf("mntr %s: error %v, want pass=%v", tt.mntr, err, tt.pass)
		}
		if tt.mntr == "srvr-not-serving" && (err == nil || !strings.Contains(err.Error(), "not serving")) {
			t.Errorf("mntr %s: error %v, want \"not serving\" from mntr, not a session's", tt.mntr, err)
		}
	}
}

// A starting ZooKeeper 3.8 answers but may leave the connection open: the
// probe takes a whole short reply as the answer instead of waiting for
// the close until its attempt times out.
func TestZooKeeperProbeTakesAnAnswerLeftOpen(t *testing.T) {
	for _, tt := range []struct {
		name   string
		srvr   string
		reason string // "" means ready
	}{
		{"serving", fixture(t, "srvr-standalone"), ""},
		{"not serving yet", fixture(t, "srvr-not-serving"), "not serving (no quorum)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := holdingServer(t, map[string]string{"ruok": fixture(t, "ruok-imok"), "srvr": tt.srvr},
				map[string]bool{"ruok": true, "srvr": tt.reason != ""})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := probe.ZooKeeper{Addr: addr}.Check(ctx)
			switch {
			case tt.reason == "" && err != nil:
				t.Fatalf("not ready: %v", err)
			case tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason)):
				t.Fatalf("error %v, want one about %q", err, tt.reason)
			}
		})
	}
}
