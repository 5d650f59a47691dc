package node

import (
	"crypto/sha256"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/plan"
)

// Given is what each service of a running node was last given: its spec,
// as the supervisor runs it (Supervisor.Spec, defaults filled in), and the
// digests of its rendered files (destination -> digest).
type Given struct {
	Specs map[string]plan.Service
	Files map[string]map[string]string
}

// Change is what a reload does to one service.
type Change struct {
	Spec    plan.Service
	Files   map[string]string
	Restart bool
	Why     []string // what changed, for the log
	// Keystores are the changed PEM keystores of a broker that reloads
	// them in place (node/keystore.go), without a restart.
	Keystores []string
}

// Diff compares a newly compiled node (its rendered plan p and the
// supervisor plan made from it) with what each service was last given, in
// start order. A service restarts when its rendered files, command,
// environment, working directory, credentials or capabilities changed;
// other changes (probe, restart policy, stop signal, grace, forwarded
// signals, remote wait targets) are taken without a restart and apply at
// its next start. A service that did not change at all is left out.
func Diff(last Given, p *macros.Rendering, sp plan.Plan) []Change {
	specs := map[string]plan.Service{}
	for _, s := range sp.Services {
		specs[s.ID] = s
	}
	digests := FileDigests(p)
	var out []Change
	for _, s := range p.Services {
		spec, old := specs[s.ID], last.Specs[s.ID]
		c := Change{Spec: spec, Files: digests[s.ID]}
		if files := ChangedFiles(last.Files[s.ID], c.Files); len(files) > 0 {
			if reloadsKeystores(p, s, files) {
				c.Keystores = files
			} else {
				c.Why = append(c.Why, "rendered "+strings.Join(files, ", "))
			}
		}
		if !slices.Equal(old.Argv, spec.Argv) {
			c.Why = append(c.Why, "command")
		}
		if names := changedEnv(old.Env, spec.Env); len(names) > 0 {
			c.Why = append(c.Why, "environment ("+strings.Join(names, ", ")+")")
		}
		if old.Dir != spec.Dir {
			c.Why = append(c.Why, "working directory")
		}
		if !reflect.DeepEqual(old.UID, spec.UID) || !reflect.DeepEqual(old.GID, spec.GID) || !slices.Equal(old.Groups, spec.Groups) {
			c.Why = append(c.Why, "user or group")
		}
		if !slices.Equal(old.Capabilities, spec.Capabilities) {
			c.Why = append(c.Why, "capabilities")
		}
		c.Restart = len(c.Why) > 0
		if c.Restart || len(c.Keystores) > 0 || !reflect.DeepEqual(old, spec) {
			out = append(out, c)
		}
	}
	return out
}

// reloadsKeystores reports whether every file in changed is a PEM keystore
// of s and s reloads its keystores in place: a secured broker-only KRaft
// service. A controller's listener cannot reload its keystore
// (KAFKA-20583), so a controller, a combined node and every other service
// restart for a new certificate.
func reloadsKeystores(p *macros.Rendering, s *macros.Service, changed []string) bool {
	pr := s.Probe
	if pr == nil || pr.Kind != plan.ProbeKafka || pr.Mode != plan.KafkaKRaft || pr.Security == nil {
		return false
	}
	keystores := map[string]bool{}
	for _, f := range p.Files {
		if f.Service == s.ID && f.Template == macros.KeystoreName {
			keystores[f.Dst] = true
		}
	}
	for _, dst := range changed {
		if !keystores[dst] {
			return false
		}
	}
	return true
}

// FileDigests maps each service to its rendered files' digests: content,
// mode and owner, so that any of them changing counts.
func FileDigests(p *macros.Rendering) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, s := range p.Services {
		out[s.ID] = map[string]string{}
	}
	for _, f := range p.Files {
		sum := sha256.Sum256(f.Content)
		out[f.Service][f.Dst] = fmt.Sprintf("%x %o %s:%s", sum, f.Mode, f.Owner, f.Group)
	}
	return out
}

// ChangedFiles lists destinations added, removed or rendered differently.
func ChangedFiles(old, cur map[string]string) []string {
	var out []string
	for dst, d := range cur {
		if old[dst] != d {
			out = append(out, dst)
		}
	}
	for dst := range old {
		if _, ok := cur[dst]; !ok {
			out = append(out, dst)
		}
	}
	sort.Strings(out)
	return out
}

// changedEnv names the variables set, unset or changed; values are not
// shown (they may be secrets).
func changedEnv(old, cur []string) []string {
	om, cm := envMap(old), envMap(cur)
	var out []string
	for k, v := range cm {
		if ov, ok := om[k]; !ok || ov != v {
			out = append(out, k)
		}
	}
	for k := range om {
		if _, ok := cm[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func envMap(list []string) map[string]string {
	m := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
