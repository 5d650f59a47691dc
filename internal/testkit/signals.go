package testkit

import (
	"os"
	"strings"
	"testing"
)

// RecordedSignals lists, in order, the signals the testprog named name
// recorded in file (its -record lines are "NAME SIGNAL UNIXNANO"); none
// when the file does not exist yet.
func RecordedSignals(t testing.TB, file, name string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == name {
			out = append(out, f[1])
		}
	}
	return out
}
