package main

import (
	"fmt"
	"os"

	"github.com/kinit/kinit/internal/cgroup"
	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/roles"
)

// nodePlan is a node resolved and rendered in memory: what check, render and
// up all start from.
type nodePlan struct {
	env    roles.Env
	config *roles.Config
	node   *roles.Node
	plan   *macros.Plan
	notes  []string // things worth printing that are not errors
}

// configPath is --config, else KINIT_CONFIG, else /etc/kinit/kinit.toml.
func configPath(flagValue string, env roles.Env) string {
	if flagValue != "" {
		return flagValue
	}
	if p := env.Get(roles.EnvConfig); p != "" {
		return p
	}
	return roles.DefaultConfigPath
}

// loadNodePlan loads the config, resolves this node from the environment,
// reads the container's limits and builds the plan. Nothing is written.
func loadNodePlan(configFlag string) (*nodePlan, error) {
	np := &nodePlan{env: roles.OSEnv()}
	cfg, err := roles.Load(configPath(configFlag, np.env))
	if err != nil {
		return nil, err
	}
	np.config = cfg
	if np.node, err = roles.Resolve(cfg, np.env); err != nil {
		return nil, err
	}
	limits, note := containerLimits(np.env)
	if note != "" {
		np.notes = append(np.notes, note)
	}
	if np.plan, err = macros.Build(np.node, macros.Options{Env: np.env, Limits: limits}); err != nil {
		return nil, err
	}
	return np, nil
}

// containerLimits reads the cgroup limits (KINIT_CGROUP_ROOT points at
// another root, for tests). A failure is not fatal: sizing then relies on a
// flavor, and says so.
func containerLimits(env roles.Env) (macros.Limits, string) {
	root := env.Get("KINIT_CGROUP_ROOT")
	if root == "" {
		root = "/"
	}
	l, _, err := cgroup.Effective(root)
	if err != nil {
		return macros.Limits{Source: "unknown"}, fmt.Sprintf("cannot read the container's limits: %v", err)
	}
	return macros.Limits{MemoryBytes: l.MemoryBytes, CPUs: l.CPUs, MemoryFromHost: l.MemoryFromHost,
		CPUsFromHost: l.CPUsFromHost, Source: l.Source}, ""
}

// reportProblems prints every problem, one per line, and returns the exit
// code: 78 for configuration problems, 1 otherwise.
// reportConfigError prints every problem of a config found after loading
// (users, stop timeout, start order), one per line: all are exit 78.
func reportConfigError(err error) int {
	for _, p := range roles.Problems(err) {
		fmt.Fprintln(os.Stderr, "kinit: "+p.Error())
	}
	return exitConfig
}

func reportProblems(err error) int {
	for _, p := range roles.Problems(err) {
		fmt.Fprintln(os.Stderr, "kinit: "+p.Error())
	}
	if roles.IsConfigError(err) {
		return exitConfig
	}
	return exitFailed
}
