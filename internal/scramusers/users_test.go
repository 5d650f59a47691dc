package scramusers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Secret volume: keys are links through ..data into a generation
// directory; the volume's own dot entries are no users. Every bad file is
// reported at once, naming it, and no password appears in an error.
func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "..2026_12_06")
	write := func(path, body string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(gen, 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(gen, "alice"), "alice-secret\n", 0o644)
	write(filepath.Join(gen, "bob"), "bob-secret", 0o644)
	for _, link := range []struct{ name, to string }{{"..data", "..2026_12_06"}, {"alice", "..data/alice"}, {"bob", "..data/bob"}} {
		if err := os.Symlink(link.to, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	u, err := ReadDir(dir, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if len(u) != 2 || u["alice"] != "alice-secret" || u["bob"] != "bob-secret" {
		t.Errorf("users %v", u.Names())
	}
	if d := u.Digests(); d["alice"] == d["bob"] || len(d) != 2 {
		t.Errorf("digests do not tell the passwords apart")
	}

	bad := t.TempDir()
	write(filepath.Join(bad, "carol"), "\n", 0o644)
	write(filepath.Join(bad, "admin"), "admin-secret", 0o644)
	write(filepath.Join(bad, "dave smith"), "dave-secret", 0o644)
	if err := os.Mkdir(filepath.Join(bad, "erin"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(bad, "frank"), "frank-secret", 0o644)
	u, err = ReadDir(bad, "admin")
	if err == nil {
		t.Fatal("no error for a directory of bad users")
	}
	for _, want := range []string{
		filepath.Join(bad, "carol") + ": the password file is empty",
		filepath.Join(bad, "admin") + ": admin is the admin user",
		`"dave smith" is not a user name`,
		filepath.Join(bad, "erin") + ": cannot read the password",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	for _, pw := range []string{"admin-secret", "dave-secret", "frank-secret"} {
		if strings.Contains(err.Error(), pw) {
			t.Errorf("a password is in the error:\n%v", err)
		}
	}
	if u["frank"] != "frank-secret" {
		t.Errorf("the good user beside bad ones: %v", u.Names())
	}
	if _, err := ReadDir(filepath.Join(bad, "missing")); err == nil {
		t.Error("no error for a missing directory")
	}
}
