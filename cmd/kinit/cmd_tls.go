package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/roles"
)

func init() {
	register("tls", command{
		summary: "make a development CA, or check a TLS dir as kinit up does; exit 0 or 78 (tls --help)",
		usage:   "ca|check [options]",
		run:     cmdTLS,
	})
}

const tlsHelp = `Usage: kinit tls ca --out DIR [--cn NAME]
       kinit tls issue --ca DIR --out DIR --host H [--host H ...]
       kinit tls check [--dir DIR] [--host H ...]

ca     writes a development CA into DIR: ca.crt and ca.key (0600). A TLS
       dir holding only these two gets each node's own certificate
       (tls.crt, tls.key) at its first start. Never mount ca.key in
       production: whoever reads it can mint certificates the cluster
       trusts. An existing ca.key is never replaced.
issue  issues a node's certificate from the CA in --ca into a TLS dir of its
       own: tls.key (0600), tls.crt naming every --host (a wildcard such as
       *.kafka.ns.svc allowed) plus localhost and 127.0.0.1, and ca.crt;
       never ca.key. What a node mounts without the CA key (a Secret: kubectl
       create secret generic NAME --from-file=DIR). An existing tls.crt is
       never replaced.
check  checks the TLS dir (default $KINIT_TLS_DIR or /etc/kinit/tls) as
       kinit does before starting anything: every problem, one per line,
       each naming its file; exit 78 when there is one. --host (repeatable)
       names a host the certificate must cover.
`

func cmdTLS(args []string) int {
	if len(args) == 0 {
		return usageError("tls needs a subcommand: ca, issue or check")
	}
	switch args[0] {
	case "ca":
		return cmdTLSCA(args[1:])
	case "issue":
		return cmdTLSIssue(args[1:])
	case "check":
		return cmdTLSCheck(args[1:])
	case "-h", "--help", "help":
		fmt.Print(tlsHelp)
		return exitOK
	}
	return usageError("unknown tls subcommand %q: want ca, issue or check", args[0])
}

func cmdTLSCA(args []string) int {
	fs := flag.NewFlagSet("tls ca", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	out := fs.String("out", "", "directory to write ca.crt and ca.key into (required)")
	cn := fs.String("cn", "kinit development CA", "the CA's common name")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageError("tls ca takes no arguments")
	case *out == "":
		return usageError("tls ca needs --out DIR")
	case strings.TrimSpace(*cn) == "":
		return usageError("tls ca: --cn must not be empty")
	}
	if err := tlsdir.NewCA(*out, *cn, time.Now()); err != nil {
		return reportConfigError(err)
	}
	fmt.Printf("wrote %s/%s and %s/%s (0600)\n", *out, tlsdir.CAFile, *out, tlsdir.CAKeyFile)
	fmt.Printf("warning: %s is for development only; never mount it in production\n", tlsdir.CAKeyFile)
	return exitOK
}

func cmdTLSIssue(args []string) int {
	fs := flag.NewFlagSet("tls issue", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	ca := fs.String("ca", "", "directory holding ca.crt and ca.key (required)")
	out := fs.String("out", "", "the node's TLS dir to write (required)")
	var hosts hostList
	fs.Var(&hosts, "host", "a name the certificate covers; the first is its common name (repeatable, at least one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageError("tls issue takes no arguments")
	case *ca == "" || *out == "":
		return usageError("tls issue needs --ca DIR and --out DIR")
	case len(hosts) == 0:
		return usageError("tls issue needs at least one --host")
	}
	if err := tlsdir.IssueTo(*ca, *out, tlsdir.Identity{CommonName: hosts[0], Hosts: hosts}, time.Now()); err != nil {
		return reportConfigError(err)
	}
	fmt.Printf("wrote %s/%s, %s/%s (0600) and %s/%s for %s\n", *out, tlsdir.CertFile, *out, tlsdir.KeyFile, *out, tlsdir.CAFile, strings.Join(hosts, ", "))
	return exitOK
}

func cmdTLSCheck(args []string) int {
	fs := flag.NewFlagSet("tls check", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	dir := fs.String("dir", "", "the TLS dir (default $"+roles.EnvTLSDir+" or "+roles.DefaultTLSDir+")")
	var hosts hostList
	fs.Var(&hosts, "host", "a host the certificate must cover (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageError("tls check takes no arguments")
	}
	if *dir == "" {
		*dir = os.Getenv(roles.EnvTLSDir)
	}
	if *dir == "" {
		*dir = roles.DefaultTLSDir
	}
	m, err := tlsdir.Check(*dir, hosts, time.Now())
	if err != nil {
		return reportConfigError(err)
	}
	fmt.Printf("%s: ok, %s valid until %s\n", *dir, tlsdir.CertFile, m.NotAfter.UTC().Format(time.RFC3339))
	if m.CAKeyMounted {
		fmt.Printf("warning: %s/%s is present: fine for development, never in production\n", *dir, tlsdir.CAKeyFile)
	}
	return exitOK
}

// hostList collects a repeated --host.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }

func (h *hostList) Set(v string) error {
	*h = append(*h, v)
	return nil
}
