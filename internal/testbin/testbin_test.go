package testbin

import (
	"debug/elf"
	"os"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	defer Cleanup()
	tests := []struct {
		name   string
		build  func(string) (string, error)
		static bool
	}{
		{"plain", Build, true},
		{"race", BuildRace, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.build(Testprog)
			if err != nil {
				t.Fatal(err)
			}
			again, err := tt.build(Testprog)
			if err != nil || again != p {
				t.Fatalf("second build = %q, %v; want %q again", again, err, p)
			}
			f, err := elf.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			interp := false
			for _, prog := range f.Progs {
				interp = interp || prog.Type == elf.PT_INTERP
			}
			if interp == tt.static {
				t.Errorf("%s: dynamic loader requested = %v, want %v", p, interp, !tt.static)
			}
		})
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("directory %s: %v, %v; want mode 0755", dir, fi, err)
	}
	if _, err := Build("github.com/kinit/kinit/no/such/package"); err == nil || !strings.Contains(err.Error(), "cannot build") {
		t.Errorf("build of a missing package: %v", err)
	}
	d := dir
	Cleanup()
	if _, err := os.Stat(d); !os.IsNotExist(err) {
		t.Errorf("%s left after Cleanup: %v", d, err)
	}
}
