package tomlpos

import "testing"

func TestPositions(t *testing.T) {
	src := `# comment
a = 1
[t]
b = """
x = 1
"""
c = [
  { d = 1 },
  { e = 2 },
]
[[arr]]
f = 1
[[arr]]
g = 'x = 1'
[arr.sub]
h = 1
i.j = { k = "}" }
`
	p := Scan([]byte(src))
	for key, want := range map[string]int{
		"a": 2, "t": 3, "t.b": 4, "t.c": 7, "t.c[0].d": 8, "t.c[1].e": 9,
		"arr[0].f": 12, "arr[1]": 13, "arr[1].g": 14, "arr[1].sub.h": 16, "arr[1].sub.i.j.k": 17,
	} {
		if got := p.lines[key]; got != want {
			t.Errorf("line of %s = %d, want %d (all: %v)", key, got, want, p.lines)
		}
	}
	if p.Line("t", "b", "nothing") != 4 {
		t.Errorf("ancestor fallback failed")
	}
}
