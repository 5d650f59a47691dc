package kubernetes

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// checked is what `kinit check` printed about the node.
type checked struct {
	id      int
	fqdn    string
	memory  string              // the sizing line's value, e.g. "4096 MiB (cgroup …)"
	members map[string][]member // role -> members as listed
	output  string
}

type member struct {
	id   int
	host string
	self bool
}

// runCheck runs `kinit check --no-files` with exactly env (nothing of the
// test's own environment but PATH) and parses its node section.
func runCheck(kinit string, env map[string]string) (checked, int, error) {
	cmd := exec.Command(kinit, "check", "--no-files")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code, err = ee.ExitCode(), nil
	}
	c := checked{members: map[string][]member{}, output: out.String() + errb.String()}
	if err != nil || code != 0 {
		return c, code, err
	}
	inMembers := false
	for _, line := range strings.Split(out.String(), "\n") {
		_, val, _ := strings.Cut(strings.TrimSpace(line), ":")
		val = strings.TrimSpace(val)
		switch {
		case strings.HasPrefix(line, "  id:"):
			c.id, _ = strconv.Atoi(strings.Fields(val)[0])
		case strings.HasPrefix(line, "  fqdn:"):
			c.fqdn = val
		case strings.HasPrefix(line, "  memory:"):
			c.memory = val
		case strings.HasPrefix(line, "  members:"):
			inMembers = true
		case inMembers && strings.HasPrefix(line, "    "):
			role, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
			list, _, _ := strings.Cut(strings.TrimSpace(rest), "  [")
			for _, part := range strings.Split(list, ", ") {
				f := strings.Fields(part)
				if len(f) < 2 {
					return c, code, fmt.Errorf("member %q of %q: not \"ID HOST\"", part, line)
				}
				id, err := strconv.Atoi(f[0])
				if err != nil {
					return c, code, fmt.Errorf("member %q: %v", part, err)
				}
				c.members[role] = append(c.members[role], member{id: id, host: f[1], self: len(f) > 2 && f[2] == "(self)"})
			}
		default:
			inMembers = false
		}
	}
	return c, code, nil
}
