package supervisor_test

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
)

func TestOutputLines(t *testing.T) {
	defer supervisor.FakeMaxLineBytes(64)()
	for _, format := range []string{supervisor.LogText, supervisor.LogJSON} {
		t.Run(format, func(t *testing.T) {
			a := svc("talker", "-print", `first\nsecond`, "-print-err", "oops", "-print-len", "150", "-exit-after", "0s")
			a.Restart.Policy = plan.PolicyNever
			h := start(t, plan.Plan{Services: []plan.Service{a}}, func(o *supervisor.Options) { o.LogFormat = format })
			h.rec.wait(t, 0, "talker", supervisor.EventStopped)
			// Run returns once the output of exited processes is drained.
			h.sup.Terminate()
			h.exitCode()
			out := h.out.String()
			long := strings.Repeat("x", 64)
			if format == supervisor.LogText {
				for _, want := range []string{"talker | first\n", "talker | second\n", "talker | oops\n",
					"talker | " + long + "\n" + "talker | " + long + "\n" + "talker | " + strings.Repeat("x", 22) + "\n"} {
					if !strings.Contains(out, want) {
						t.Errorf("output lacks %q:\n%s", want, out)
					}
				}
				return
			}
			type line struct {
				Service, Stream, Line string
				Split                 bool
			}
			var got []line
			sc := bufio.NewScanner(strings.NewReader(out))
			for sc.Scan() {
				var l line
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatalf("not JSON: %q: %v", sc.Text(), err)
				}
				if l.Service != "talker" {
					t.Fatalf("line without its service: %q", sc.Text())
				}
				got = append(got, l)
			}
			want := []line{{"talker", "stdout", "first", false}, {"talker", "stdout", "second", false},
				{"talker", "stdout", long, true}, {"talker", "stdout", long, true}, {"talker", "stdout", strings.Repeat("x", 22), false}}
			var stdout []line
			var sawErr bool
			for _, l := range got {
				if l.Stream == "stderr" {
					sawErr = sawErr || l.Line == "oops"
					continue
				}
				stdout = append(stdout, l)
			}
			if !sawErr {
				t.Errorf("no stderr line in %v", got)
			}
			for i, w := range want {
				if i >= len(stdout) || stdout[i] != w {
					t.Fatalf("stdout lines %v, want prefix %v", stdout, want)
				}
			}
		})
	}
}
