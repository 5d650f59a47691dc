package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// BadInput is a path an operator may name by mistake and the start of the
// refusal kinit must give for it.
type BadInput struct {
	Name string // the subtest's
	Path string
	Want string // safefs's words for what the path is
}

// BadInputs makes the files an operator's path (KINIT_CONFIG, a *_FILE, a
// template) may name by mistake: /dev/zero and a link to it, a FIFO nobody
// writes, a directory and a file one byte larger than max. Each must be
// refused for what it is, at once: never read without end, never waited
// on. max is a whole number of MiB, as every operator input's limit is.
func BadInputs(t testing.TB, max int) []BadInput {
	t.Helper()
	if max <= 0 || max%(1<<20) != 0 {
		t.Fatalf("BadInputs: max %d is not a whole number of MiB", max)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, max+1), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	return []BadInput{
		{"dev zero", "/dev/zero", "not a regular file (character device)"},
		{"link to dev zero", zero, "not a regular file (character device)"},
		{"fifo", fifo, "not a regular file (FIFO)"},
		{"directory", sub, "not a regular file (directory)"},
		{"oversize", big, fmt.Sprintf("larger than %d MiB", max>>20)},
	}
}
