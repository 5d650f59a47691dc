package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/plan"
)

// ErrNotWhitelisted means the server refused a four-letter word because
// it is not listed in 4lw.commands.whitelist.
var ErrNotWhitelisted = errors.New("four-letter word not whitelisted")

// ErrNotServing means the server runs but is not part of a serving quorum.
var ErrNotServing = errors.New("not currently serving requests")

// maxFourLetterReply bounds what is read from a server (mntr on a large
// ensemble is a few KiB).
const maxFourLetterReply = 64 << 10

// FourLetter sends a ZooKeeper four-letter word to addr and returns the
// whole reply (the server closes the connection after answering).
func FourLetter(ctx context.Context, addr, word string) (string, error) {
	return fourLetter(ctx, zkDialer{}, addr, word)
}

// FourLetterTLS is FourLetter over a TLS connection made from t (a
// ZooKeeper secureClientPort); nil t speaks plaintext. t's files are read
// at each call.
func FourLetterTLS(ctx context.Context, addr, word string, t *plan.TLS) (string, error) {
	d, err := newZKDialer(addr, t)
	if err != nil {
		return "", err
	}
	return fourLetter(ctx, d, addr, word)
}

func fourLetter(ctx context.Context, d zkDialer, addr, word string) (string, error) {
	c, err := d.dial(ctx, addr)
	if err != nil {
		return "", dialFailure(addr, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	} else {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(c, word); err != nil {
		if sf := securityFailure(addr, err); sf != nil {
			return "", sf
		}
		return "", fail(addr, "closed the connection", err)
	}
	b, err := readReply(c, word)
	if err != nil {
		// Under TLS 1.3 a refused client certificate is only read here,
		// after the client's side of the handshake finished.
		if sf := securityFailure(addr, err); sf != nil {
			return string(b), sf
		}
		if !d.tls() && len(b) == 0 && errors.Is(err, os.ErrDeadlineExceeded) {
			// A secureClientPort waits for the rest of a TLS record
			// that the four plaintext bytes began.
			return "", fail(addr, "did not answer "+word+" (a TLS-only port? the probe speaks plaintext)", err)
		}
		return string(b), fail(addr, "did not answer "+word, err)
	}
	return string(b), nil
}

// readReply reads a reply until the server closes the connection, or
// until it is one of the short replies a starting server gives: ZooKeeper
// 3.8 answers a word that arrives before its database is loaded and then
// fails to close the socket (a NullPointerException in its log, "Error
// closing a command socket"), which held the probe for its whole timeout,
// 5 s of a 0.5 s start.
func readReply(c io.Reader, word string) ([]byte, error) {
	var b []byte
	buf := make([]byte, 4096)
	for len(b) < maxFourLetterReply {
		n, err := c.Read(buf[:min(len(buf), maxFourLetterReply-len(b))])
		b = append(b, buf[:n]...)
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if whole(word, string(b)) {
			return b, nil
		}
	}
	return b, nil
}

// whole reports a reply that cannot go on: imok, or a refusal's line.
func whole(word, reply string) bool {
	if word == "ruok" && reply == "imok" {
		return true
	}
	return strings.HasSuffix(reply, "\n") && checkRefusal(reply) != nil
}

// checkRefusal recognises the replies that are not answers.
func checkRefusal(reply string) error {
	switch {
	case strings.Contains(reply, "not in the whitelist"):
		return ErrNotWhitelisted
	case strings.Contains(reply, "not currently serving requests"):
		return ErrNotServing
	}
	return nil
}

// ParseRuok checks the reply to ruok.
func ParseRuok(reply string) error {
	if err := checkRefusal(reply); err != nil {
		return err
	}
	if strings.TrimSpace(reply) != "imok" {
		return fmt.Errorf("unexpected ruok reply %q", truncate(reply, 40))
	}
	return nil
}

// Srvr is the part of a srvr reply kinit uses.
type Srvr struct {
	Version string
	Mode    string // standalone, leader, follower, observer, read-only
	Zxid    string
	Nodes   int
}

// ParseSrvr parses the reply to srvr.
func ParseSrvr(reply string) (Srvr, error) {
	var s Srvr
	if err := checkRefusal(reply); err != nil {
		return s, err
	}
	sc := bufio.NewScanner(strings.NewReader(reply))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Zookeeper version":
			s.Version, _, _ = strings.Cut(v, ",")
		case "Mode":
			s.Mode = v
		case "Zxid":
			s.Zxid = v
		case "Node count":
			_, _ = fmt.Sscanf(v, "%d", &s.Nodes)
		}
	}
	if s.Mode == "" {
		return s, fmt.Errorf("srvr reply has no Mode line: %q", truncate(reply, 60))
	}
	return s, nil
}

// Serving reports modes in which the server answers clients with the
// quorum's data.
func (s Srvr) Serving() bool {
	switch s.Mode {
	case "standalone", "leader", "follower", "observer":
		return true
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Mntr is the part of a mntr reply kinit uses.
type Mntr struct {
	State      string // zk_server_state: standalone, leader, follower, …
	Ephemerals int    // zk_ephemerals_count: ephemeral znodes in the data tree
}

// ParseMntr parses the reply to mntr ("key<TAB>value" lines).
func ParseMntr(reply string) (Mntr, error) {
	var m Mntr
	if err := checkRefusal(reply); err != nil {
		return m, err
	}
	seen := 0
	for _, line := range strings.Split(reply, "\n") {
		k, v, _ := strings.Cut(line, "\t")
		switch k {
		case "zk_server_state":
			m.State, seen = strings.TrimSpace(v), seen+1
		case "zk_ephemerals_count":
			if _, err := fmt.Sscanf(v, "%d", &m.Ephemerals); err != nil {
				return m, fmt.Errorf("mntr: zk_ephemerals_count %q: %w", v, err)
			}
			seen++
		}
	}
	if seen != 2 {
		return m, fmt.Errorf("mntr reply lacks zk_server_state or zk_ephemerals_count: %q", truncate(reply, 60))
	}
	return m, nil
}
