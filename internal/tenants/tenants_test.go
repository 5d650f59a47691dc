package tenants

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const good = `# two lines of business
[tenants.team-b]
password_file = "/run/secrets/team-b"
topics = [
  "team-b.",
  "shared-b.",
  "team-b.",
]

[tenants.team-a]
password_file = "/run/secrets/team-a"
topics = ["team-a."]
groups = ["team-a."]
[tenants.team-a.quotas]
produce_bytes_per_sec = 1048576
consume_bytes_per_sec = 2097152
request_percentage = 50

[tenants."ops.x"]
password_file = "/run/secrets/ops"
groups = ["ops-"]
quotas = { request_percentage = 12.5 }
`

func TestLoadGood(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "tenants.toml"), good)
	f, err := Load(path, "admin")
	if err != nil {
		t.Fatal(err)
	}
	want := []Tenant{
		{Name: "ops.x", PasswordFile: "/run/secrets/ops", Groups: []string{"ops-"}, Quotas: Quotas{RequestPercentage: 12.5}, Line: 19},
		{Name: "team-a", PasswordFile: "/run/secrets/team-a", Topics: []string{"team-a."}, Groups: []string{"team-a."},
			Quotas: Quotas{ProduceBytes: 1048576, ConsumeBytes: 2097152, RequestPercentage: 50}, Line: 10},
		{Name: "team-b", PasswordFile: "/run/secrets/team-b", Topics: []string{"shared-b.", "team-b."}, Line: 2},
	}
	if !reflect.DeepEqual(f.Tenants, want) {
		t.Errorf("tenants\n got %+v\nwant %+v", f.Tenants, want)
	}
	if len(f.Version) != 12 || strings.Trim(f.Version, "0123456789abcdef") != "" {
		t.Errorf("version %q", f.Version)
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{"ops.x", "team-a", "team-b"}) {
		t.Errorf("names %v", got)
	}
	// The version follows the content, and only the content.
	other := writeFile(t, filepath.Join(t.TempDir(), "tenants.toml"), good+"\n")
	g, err := Load(other)
	if err != nil {
		t.Fatal(err)
	}
	same, _ := Load(writeFile(t, filepath.Join(t.TempDir(), "t.toml"), good))
	if g.Version == f.Version || same.Version != f.Version {
		t.Errorf("versions %s, %s (one byte more), %s (same bytes)", f.Version, g.Version, same.Version)
	}
}

// problems loads body and returns each problem's text, failing when the
// file is accepted.
func problems(t *testing.T, body string, reserved ...string) (string, []string) {
	t.Helper()
	path := writeFile(t, filepath.Join(t.TempDir(), "tenants.toml"), body)
	f, err := Load(path, reserved...)
	if err == nil {
		t.Fatalf("accepted: %+v", f)
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("not Problems: %T %v", err, err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	if err.Error() != strings.Join(out, "\n") {
		t.Errorf("Error() is not one problem a line:\n%s", err)
	}
	return path, out
}

func wantProblems(t *testing.T, got []string, path string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, path+":") && strings.Contains(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

// Every problem of a file at once, each at its line; nothing half-kept.
func TestLoadEveryProblem(t *testing.T) {
	path, got := problems(t, `[tenants.admin]
password_file = "/run/secrets/admin"
topics = ["admin."]

[tenants."bad name"]
password_file = "/x"
topics = ["x."]

[tenants.team-a]
password_file = "secrets/team-a"
topics = ["", "team-a.*"]
groups = ["a b"]

[tenants.team-b]
topics = ["team b"]

[tenants.team-c]
password_file = "/c"

[tenants.team-d]
password_file = "/d"
topics = ["team-d."]
[tenants.team-d.quotas]
produce_bytes_per_sec = -1
consume_bytes_per_sec = 0
request_percentage = -5.0
`, "admin")
	wantProblems(t, got, path,
		"1: tenant admin: admin is the admin user",
		`5: "bad name" is not a tenant name`,
		`10: tenant team-a: password_file "secrets/team-a" is not an absolute path`,
		"11: tenant team-a: an empty topic prefix",
		`11: tenant team-a: topic prefix "team-a.*" holds '*'`,
		`15: tenant team-b: topic prefix "team b" has a character no topic name can hold`,
		"14: tenant team-b: password_file is missing",
		"17: tenant team-c owns nothing",
		"24: tenant team-d: produce_bytes_per_sec = -1: must be more than 0",
		"25: tenant team-d: consume_bytes_per_sec = 0: must be more than 0",
		"26: tenant team-d: request_percentage = -5: must be more than 0",
	)
	if len(got) != 11 {
		t.Errorf("%d problems, want 11:\n%s", len(got), strings.Join(got, "\n"))
	}
	// A group name may hold a space: only topics are held to topic names.
	for _, g := range got {
		if strings.Contains(g, `"a b"`) {
			t.Errorf("a group prefix with a space refused: %s", g)
		}
	}
}

func TestLoadOverlap(t *testing.T) {
	path, got := problems(t, `[tenants.team-a]
password_file = "/a"
topics = ["team-a."]
groups = ["team"]

[tenants.team-ab]
password_file = "/ab"
topics = ["team-a.b."]
groups = ["team-ab."]

[tenants.team-c]
password_file = "/c"
topics = ["team-c."]
groups = ["team-c."]
`)
	wantProblems(t, got, path,
		`8: topic prefix "team-a.b." of tenant team-ab overlaps "team-a." of tenant team-a (line 3)`,
		`9: group prefix "team-ab." of tenant team-ab overlaps "team" of tenant team-a (line 4)`,
		`14: group prefix "team-c." of tenant team-c overlaps "team" of tenant team-a (line 4)`,
	)
	if len(got) != 3 {
		t.Errorf("%d problems, want 3:\n%s", len(got), strings.Join(got, "\n"))
	}
	// A topic and a group may share a prefix, within a tenant or across:
	// they are different resources.
	if _, err := Load(writeFile(t, filepath.Join(t.TempDir(), "t.toml"), `[tenants.a]
password_file = "/a"
topics = ["x."]
[tenants.b]
password_file = "/b"
groups = ["x."]
`)); err != nil {
		t.Errorf("a topic prefix and a group prefix of two tenants: %v", err)
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	path, got := problems(t, `[tenants.team-a]
password_file = "/a"
topics = ["team-a."]
topic = ["team-a.x"]
[tenants.team-a.quotas]
produce_bytes = 10

[tenant.team-b]
password_file = "/b"
`)
	wantProblems(t, got, path,
		`4: unknown key "tenants.team-a.topic"`,
		`6: unknown key "tenants.team-a.quotas.produce_bytes"`,
		`8: unknown key "tenant`,
	)
}

func TestLoadSyntaxAndTypes(t *testing.T) {
	path, got := problems(t, "[tenants.a]\npassword_file = \"/a\"\ntopics = [\"a.\"\n")
	wantProblems(t, got, path, "")
	if !strings.HasPrefix(got[0], path+":3: ") && !strings.HasPrefix(got[0], path+":4: ") {
		t.Errorf("syntax error without its line: %s", got[0])
	}
	path, got = problems(t, "[tenants.a]\npassword_file = \"/a\"\ntopics = \"a.\"\n")
	wantProblems(t, got, path, "3: ")
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
}

func TestPasswords(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a"), "a-secret\n")
	b := writeFile(t, filepath.Join(dir, "b"), "b-secret\r\nsecond line\n")
	body := `[tenants.a]
password_file = "` + a + `"
topics = ["a."]
[tenants.b]
password_file = "` + b + `"
topics = ["b."]
`
	f, err := Load(writeFile(t, filepath.Join(dir, "tenants.toml"), body))
	if err != nil {
		t.Fatal(err)
	}
	pws, err := f.Passwords()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pws, map[string]string{"a": "a-secret", "b": "b-secret"}) {
		t.Errorf("passwords %q", pws)
	}

	empty := writeFile(t, filepath.Join(dir, "empty"), "\n")
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	body = `[tenants.a]
password_file = "` + a + `"
topics = ["a."]
[tenants.c]
password_file = "` + filepath.Join(dir, "missing") + `"
topics = ["c."]
[tenants.d]
password_file = "` + empty + `"
topics = ["d."]
[tenants.e]
topics = ["e."]
password_file = "` + sub + `"
`
	path := writeFile(t, filepath.Join(dir, "bad.toml"), body)
	f, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	pws, err = f.Passwords()
	if err == nil || pws != nil {
		t.Fatalf("bad password files accepted: %v", pws)
	}
	for _, want := range []string{
		path + ":5: tenant c: cannot read the password file " + filepath.Join(dir, "missing") + ": no such file",
		path + ":8: tenant d: the password file " + empty + " is empty",
		path + ":12: tenant e: cannot read the password file " + sub + ": not a regular file",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "a-secret") || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("want three problems, no password:\n%v", err)
	}
}

// Reconcile refuses, before any request, to revoke a reserved name a
// previous list holds: the admin user's password is the brokers' login.
func TestReconcileKeepsReserved(t *testing.T) {
	f, err := Parse("tenants.toml", []byte("[tenants.a]\npassword_file = \"/a\"\ntopics = [\"a.\"]\n"), "admin")
	if err != nil {
		t.Fatal(err)
	}
	// No broker: with ctx done every request fails at once, and the
	// check of the previous names comes before any.
	kc, err := kgo.NewClient(kgo.SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	applied, err := Reconcile(ctx, kadm.NewClient(kc), f, map[string]string{"a": "pw"}, []string{"admin", "bad name"})
	if err == nil || !strings.Contains(err.Error(), `previous tenant "admin"`) || !strings.Contains(err.Error(), `previous tenant "bad name"`) {
		t.Errorf("reserved or bad previous names not refused: %v", err)
	}
	if !reflect.DeepEqual(applied, []string{"a"}) {
		t.Errorf("applied %v", applied)
	}
}

// Check reports the file's own problems and the password files of its
// otherwise valid tenants at once, and hands back what it could read.
func TestCheckEveryProblemAtOnce(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.pw")
	if err := os.WriteFile(good, []byte("good-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tenants.toml")
	text := "[tenants.a]\npassword_file = \"" + filepath.Join(dir, "missing.pw") + "\"\ntopics = [\"a.\"]\n\n" +
		"[tenants.b]\npassword_file = \"relative\"\ntopics = [\"b.\"]\n\n" +
		"[tenants.c]\npassword_file = \"" + good + "\"\ntopics = [\"c.\"]\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	pw, err := Check(path, "admin")
	for _, want := range []string{path + ":2: tenant a: cannot read the password file", path + ":6: tenant b: password_file \"relative\""} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	if pw["c"] != "good-pw" || len(pw) != 1 {
		t.Errorf("passwords read: %v; want c's only", pw)
	}
	if f, err := Load(path, "admin"); f != nil || err == nil {
		t.Errorf("Load of a file with problems: %v, %v; want nil and the problems", f, err)
	}
}
