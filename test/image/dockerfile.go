// Package image checks Dockerfile.centos7 and docker-compose.yml by reading
// them, since no Docker engine runs here: files they copy exist, binaries
// they copy from the build stage are built there, every KINIT_* variable
// they set is one kinit reads, and roles and config ids name entries of
// rootfs/etc/kinit/kinit.toml.
package image

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Instruction is one Dockerfile instruction after line continuations are
// joined.
type Instruction struct {
	Line  int    // first line
	Cmd   string // upper case: FROM, COPY, ...
	Args  string // the rest, as written
	Stage string // name (or index) of the stage it belongs to
}

// ParseDockerfile reads the instructions of a Dockerfile: comment lines are
// dropped (also inside continuations, as Docker does), a trailing backslash
// continues the line.
func ParseDockerfile(path string) ([]Instruction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Instruction
	var cur strings.Builder
	start, n, stage, stages := 0, 0, "", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		if text == "" {
			continue
		}
		cmd, args, _ := strings.Cut(text, " ")
		in := Instruction{Line: start, Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)}
		if in.Cmd == "FROM" {
			stages++
			stage = fmt.Sprint(stages - 1)
			f := strings.Fields(in.Args)
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stage = f[2]
			}
		}
		in.Stage = stage
		out = append(out, in)
	}
	return out, sc.Err()
}

// CopySpec is a COPY or ADD split into flags, sources and destination.
type CopySpec struct {
	From    string // --from stage, "" for the build context
	Sources []string
	Dest    string
}

// ParseCopy splits COPY/ADD arguments in shell or JSON form.
func ParseCopy(args string) (CopySpec, error) {
	var c CopySpec
	fields := strings.Fields(args)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
		if v, ok := strings.CutPrefix(fields[0], "--from="); ok {
			c.From = v
		}
		fields = fields[1:]
	}
	rest := strings.Join(fields, " ")
	var parts []string
	if strings.HasPrefix(rest, "[") {
		if err := json.Unmarshal([]byte(rest), &parts); err != nil {
			return c, fmt.Errorf("cannot parse JSON form %q: %w", rest, err)
		}
	} else {
		parts = strings.Fields(rest)
	}
	if len(parts) < 2 {
		return c, fmt.Errorf("want sources and a destination in %q", args)
	}
	c.Sources, c.Dest = parts[:len(parts)-1], parts[len(parts)-1]
	return c, nil
}

// EnvKeys returns the variable names an ENV instruction sets, in either
// "K=V K2=V2" or legacy "K V" form.
func EnvKeys(args string) []string {
	if !strings.Contains(strings.Fields(args)[0], "=") {
		return []string{strings.Fields(args)[0]}
	}
	var keys []string
	for _, f := range strings.Fields(args) {
		if k, _, ok := strings.Cut(f, "="); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// ExecForm parses a JSON-array argument (ENTRYPOINT, CMD, HEALTHCHECK CMD).
func ExecForm(args string) ([]string, bool) {
	var out []string
	if err := json.Unmarshal([]byte(strings.TrimSpace(args)), &out); err != nil {
		return nil, false
	}
	return out, true
}

// ArgDefaults maps each ARG that has a default to it (the last one wins,
// as in a build without --build-arg).
func ArgDefaults(ins []Instruction) map[string]string {
	out := map[string]string{}
	for _, in := range ins {
		if in.Cmd != "ARG" {
			continue
		}
		if k, v, ok := strings.Cut(strings.TrimSpace(in.Args), "="); ok {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}
