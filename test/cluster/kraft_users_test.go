package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/test/kafkahome"
	"github.com/kinit/kinit/test/nethost"
)

// secretDir lays out a directory as a Kubernetes Secret volume does: the
// files in a generation directory (..<n>), ..data a link to it, each key
// a link through ..data; an update writes a new generation and swaps
// ..data with one rename.
type secretDir struct {
	dir string
	gen int
}

func (s *secretDir) write(t testing.TB, files map[string]string) {
	t.Helper()
	s.gen++
	gen := fmt.Sprintf("..gen_%d", s.gen)
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(s.dir, gen), 0o755))
	for k, v := range files {
		must(os.WriteFile(filepath.Join(s.dir, gen, k), []byte(v+"\n"), 0o644))
	}
	must(os.Symlink(gen, filepath.Join(s.dir, "..data_tmp")))
	must(os.Rename(filepath.Join(s.dir, "..data_tmp"), filepath.Join(s.dir, "..data")))
	entries, err := os.ReadDir(s.dir)
	must(err)
	for _, e := range entries {
		if _, keep := files[e.Name()]; !keep && !strings.HasPrefix(e.Name(), ".") {
			must(os.Remove(filepath.Join(s.dir, e.Name())))
		}
	}
	for k := range files {
		if _, err := os.Lstat(filepath.Join(s.dir, k)); os.IsNotExist(err) {
			must(os.Symlink(filepath.Join("..data", k), filepath.Join(s.dir, k)))
		}
	}
	if s.gen > 1 {
		must(os.RemoveAll(filepath.Join(s.dir, fmt.Sprintf("..gen_%d", s.gen-1))))
	}
}

// kcatOn runs kcat on host h with args, through the librdkafka that
// speaks SCRAM to Kafka 4.
func kcatOn(ctx context.Context, t testing.TB, h *nethost.Host, stdin string, args ...string) (string, error) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := h.Command(cctx, append([]string{"kcat", "-m", "10"}, args...)...)
	cmd.Env = append(os.Environ(), kafkahome.KcatEnv(t)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// kcatSCRAM runs kcat on host h as user with password against bootstrap,
// trusting ca.
func kcatSCRAM(ctx context.Context, t testing.TB, h *nethost.Host, bootstrap, ca, user, password, stdin string, args ...string) (string, error) {
	t.Helper()
	return kcatOn(ctx, t, h, stdin, append([]string{"-b", bootstrap,
		"-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
		"-X", "sasl.username=" + user, "-X", "sasl.password=" + password, "-X", "ssl.ca.location=" + ca}, args...)...)
}

// checkUsers: the client users of KINIT_USERS_DIR (a Secret volume) are
// applied once the brokers are ready, kcat round-trips as one of them; a
// changed password, a new user and a removed one take effect while
// everything runs, and `kinit status` names the users, never a password.
func checkUsers(ctx context.Context, t *testing.T, brokers []*node, secrets []*secretDir, bootstrap, ca string, mark func(string)) {
	h := brokers[0].host
	update := func(files map[string]string) {
		for _, s := range secrets {
			s.write(t, files)
		}
	}
	const topic = "kinit-users"
	waitAuth := func(what, user, password string, want bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, user, password, "", "-L")
			if (err == nil) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: kcat -L as %s: %v\n%s", what, user, err, out)
			}
			time.Sleep(time.Second)
		}
	}
	waitAuth("alice applied at start", "alice", "alice-pw-1", true)
	if out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "alice", "alice-pw-1", "from alice\n", "-P", "-t", topic); err != nil {
		t.Fatalf("kcat produce as alice: %v\n%s", err, out)
	}
	out, err := kcatSCRAM(ctx, t, h, bootstrap, ca, "alice", "alice-pw-1", "", "-C", "-t", topic, "-o", "beginning", "-c", "1", "-e")
	if err != nil || !strings.Contains(out, "from alice") {
		t.Fatalf("kcat consume as alice: %v\n%s", err, out)
	}
	mark("kcat round trip as a client user from KINIT_USERS_DIR")

	update(map[string]string{"alice": "alice-pw-2", "bob": "bob-pw-1"})
	waitAuth("alice's new password", "alice", "alice-pw-2", true)
	waitAuth("bob added", "bob", "bob-pw-1", true)
	waitAuth("alice's old password", "alice", "alice-pw-1", false)
	update(map[string]string{"alice": "alice-pw-2"})
	waitAuth("bob removed", "bob", "bob-pw-1", false)
	mark("password change, new and removed user applied at run time")

	for _, b := range brokers {
		st, err := b.status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sec := st.section("scram users")
		if sec == nil || sec["users"] != "alice" || sec["error"] != "" {
			t.Errorf("%s: scram users section %v; want users alice, no error", b.host.Name, sec)
		}
		raw, _ := b.kinit(ctx, "status")
		for _, pw := range []string{"alice-pw-1", "alice-pw-2", "bob-pw-1"} {
			if strings.Contains(string(raw), pw) || strings.Contains(b.proc.Output(), pw) {
				t.Errorf("%s: a user's password is in kinit status or its output", b.host.Name)
			}
		}
	}
}
