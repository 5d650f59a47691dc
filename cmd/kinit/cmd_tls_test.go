package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
)

// runCaptured runs f with stdout and stderr going to files and returns the
// exit code and what each received.
func runCaptured(t *testing.T, f func() int) (code int, stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	errf, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = out, errf
	code = f()
	os.Stdout, os.Stderr = oldOut, oldErr
	out.Close()
	errf.Close()
	o, _ := os.ReadFile(out.Name())
	e, _ := os.ReadFile(errf.Name())
	return code, string(o), string(e)
}

func TestTLSCAThenCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	code, out, stderr := runCaptured(t, func() int { return run("tls", []string{"ca", "--out", dir, "--cn", "test CA"}) })
	if code != exitOK {
		t.Fatalf("tls ca: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "wrote "+dir+"/ca.crt and "+dir+"/ca.key") || !strings.Contains(out, "never mount it in production") {
		t.Errorf("tls ca printed:\n%s", out)
	}
	// A second CA is refused, naming the key, as a configuration error.
	code, _, stderr = runCaptured(t, func() int { return run("tls", []string{"ca", "--out", dir}) })
	if code != exitConfig || !strings.Contains(stderr, "kinit: "+dir+"/ca.key: exists already") {
		t.Errorf("second tls ca: exit %d: %s", code, stderr)
	}

	// What kinit up does at a first start with only the CA mounted.
	if _, err := tlsdir.Issue(dir, tlsdir.Identity{CommonName: "broker-1", Hosts: []string{"broker-1.example"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KINIT_TLS_DIR", dir) // --dir's default
	code, out, stderr = runCaptured(t, func() int {
		return run("tls", []string{"check", "--host", "broker-1.example", "--host", "127.0.0.1"})
	})
	if code != exitOK {
		t.Fatalf("tls check: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, dir+": ok, tls.crt valid until ") || !strings.Contains(out, "warning: "+dir+"/ca.key is present") {
		t.Errorf("tls check printed:\n%s", out)
	}
}

func TestTLSCheckBadMaterial(t *testing.T) {
	dir := t.TempDir()
	if err := tlsdir.NewCA(dir, "test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsdir.Issue(dir, tlsdir.Identity{Hosts: []string{"broker-1.example"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Three problems in two files: all of them, one per line.
	os.Chmod(filepath.Join(dir, "tls.key"), 0o644)
	os.WriteFile(filepath.Join(dir, "ca.crt"), []byte("not a certificate\n"), 0o644)
	code, _, stderr := runCaptured(t, func() int {
		return run("tls", []string{"check", "--dir", dir, "--host", "broker-2.example"})
	})
	if code != exitConfig {
		t.Errorf("exit %d, want %d", code, exitConfig)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	want := []string{
		"kinit: " + dir + "/ca.crt: not PEM",
		"kinit: " + dir + `/tls.crt: does not name host "broker-2.example"`,
		"kinit: " + dir + "/tls.key: mode 0644",
	}
	if len(lines) != len(want) {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(want), stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want %q…", i+1, lines[i], w)
		}
	}
}

func TestTLSUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"sign"}, {"ca"}, {"ca", "--out", t.TempDir(), "extra"}, {"check", "--bogus"}, {"check", "x"}} {
		code, _, _ := runCaptured(t, func() int { return run("tls", args) })
		if code != exitUsage {
			t.Errorf("kinit tls %q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, out, _ := runCaptured(t, func() int { return run("tls", []string{"--help"}) }); code != exitOK || !strings.Contains(out, "kinit tls check") {
		t.Errorf("tls --help: exit %d\n%s", code, out)
	}
}

// tls issue: a node's TLS dir of its own, without the CA key, that tls
// check accepts for its hosts (a wildcard included) and refuses for
// another; a second issue into it is refused, the first kept.
func TestTLSIssue(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca")
	if err := tlsdir.NewCA(ca, "test CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "kafka-1")
	code, stdout, stderr := runCaptured(t, func() int {
		return run("tls", []string{"issue", "--ca", ca, "--out", out, "--host", "kafka-1", "--host", "*.kafka.ns.svc"})
	})
	if code != exitOK || !strings.Contains(stdout, "for kafka-1, *.kafka.ns.svc") {
		t.Fatalf("tls issue: exit %d: %s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "ca.key")); !os.IsNotExist(err) {
		t.Errorf("tls issue put the CA key into the node's dir (%v)", err)
	}
	if fi, err := os.Stat(filepath.Join(out, "tls.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("tls.key: %v %v; want mode 0600", fi, err)
	}
	if _, err := tlsdir.Check(out, []string{"kafka-1", "kafka-2.kafka.ns.svc", "127.0.0.1"}, time.Now()); err != nil {
		t.Errorf("the issued dir fails its check: %v", err)
	}
	if _, err := tlsdir.Check(out, []string{"kafka-1.other.svc"}, time.Now()); err == nil {
		t.Errorf("the issued certificate covers a host it was not issued for")
	}
	before, _ := os.ReadFile(filepath.Join(out, "tls.crt"))
	code, _, stderr = runCaptured(t, func() int {
		return run("tls", []string{"issue", "--ca", ca, "--out", out, "--host", "kafka-1"})
	})
	after, _ := os.ReadFile(filepath.Join(out, "tls.crt"))
	if code != exitConfig || !strings.Contains(stderr, "tls.crt: already exists") || string(before) != string(after) {
		t.Errorf("a second issue: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCaptured(t, func() int { return run("tls", []string{"issue", "--ca", ca, "--out", out}) })
	if code != exitUsage || !strings.Contains(stderr, "at least one --host") {
		t.Errorf("issue without --host: exit %d: %s", code, stderr)
	}
}
