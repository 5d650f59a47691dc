package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kinit/kinit/macros"
	"github.com/kinit/kinit/node"
)

func init() {
	register("render", command{
		summary: "render every template for this node without starting anything",
		usage:   "[--config F] [--out DIR]",
		run:     cmdRender,
	})
}

// cmdRender writes the rendered files. With --out DIR each absolute
// destination lands under DIR (/etc/x -> DIR/etc/x) and keeps the caller's
// ownership; without it the real paths are written with their owner. The
// node id is never persisted by render.
func cmdRender(args []string) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	config := fs.String("config", "", "config file (default $KINIT_CONFIG or /etc/kinit/kinit.toml)")
	out := fs.String("out", "", "write the tree under this directory instead of the real paths")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageError("render takes no arguments")
	}
	np, err := node.Load(*config)
	if err != nil {
		return reportProblems(err)
	}
	for _, w := range np.Rendering.Warnings {
		fmt.Fprintln(os.Stderr, "kinit: warning: "+np.Rendering.Masker().String(w))
	}
	opts := macros.WriteOptions{Chown: os.Geteuid() == 0}
	if *out != "" {
		abs, err := filepath.Abs(*out)
		if err != nil {
			return usageError("bad --out %q: %v", *out, err)
		}
		opts = macros.WriteOptions{Root: abs}
	}
	changed, err := np.Rendering.Write(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	written := map[string]bool{}
	for _, c := range changed {
		written[c] = true
	}
	for _, f := range np.Rendering.Files {
		state := "unchanged"
		if written[f.Dst] {
			state = "written"
		}
		fmt.Printf("%s %s\n", state, filepath.Join(opts.Root, f.Dst))
	}
	return exitOK
}
