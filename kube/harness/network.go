package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// setupNetwork gives the cluster its own address on a link of its own (a
// bridge without ports: this kernel has no dummy links), which the pods
// reach through their node's bridge; the machine routes between the
// bridges, so pods of different nodes reach each other too.
func (c *cluster) setupNetwork(ctx context.Context) error {
	if _, err := run(ctx, "ip", "link", "add", hostLink, "type", "bridge"); err != nil {
		return err
	}
	if _, err := run(ctx, "ip", "addr", "add", hostIP+"/32", "dev", hostLink); err != nil {
		return err
	}
	_, err := run(ctx, "ip", "link", "set", hostLink, "up")
	return err
}

// removeLinks deletes the cluster's link and the nodes' bridges (which the CNI
// plugin created with the first pod of each node).
func (c *cluster) removeLinks(ctx context.Context) {
	links := []string{hostLink}
	for _, n := range c.nodes {
		links = append(links, n.bridge)
	}
	for _, l := range links {
		if _, err := run(ctx, "ip", "link", "show", l); err == nil {
			_, _ = run(ctx, "ip", "link", "del", l)
		}
	}
}

func run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
