// Package tlsdir reads, checks and (for development) makes a node's TLS
// material in the layout a Kubernetes Secret of type kubernetes.io/tls, or
// cert-manager, mounts: a directory holding ca.crt, tls.crt and tls.key,
// all PEM. Kafka is handed PEM too (ssl.keystore.type=PEM, KafkaPEM), so
// no JKS and no keytool.
//
// Check reports every problem of a directory at once, each naming its
// file, so that kinit refuses to start (exit 78) with the whole list
// rather than one problem per attempt. NewCA and Issue are the built-in
// development CA: a directory holding only ca.crt and ca.key gets the
// node's own certificate at start. Production mounts issued material and
// never ca.key; Check says when it is there so the caller can warn.
package tlsdir

import (
	"time"

	"github.com/hashicorp/go-multierror"
)

// The files of a TLS directory.
const (
	CAFile    = "ca.crt"
	CAKeyFile = "ca.key"
	CertFile  = "tls.crt"
	KeyFile   = "tls.key"
)

// Lifetimes of what the development CA makes. Certificates start a few
// minutes in the past: the clocks of containers started together differ,
// and a certificate "not yet valid" for a peer fails its handshake.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	certLifetime = 365 * 24 * time.Hour
	backdate     = 5 * time.Minute
)

// maxFileSize bounds what is read of a PEM file: a chain is a few KiB, and
// a mistaken mount (a log, /dev/zero) must not be read without end.
const maxFileSize = 1 << 20

// Material is a checked TLS directory: where each file is, for the
// rendered Kafka properties and for the probes.
type Material struct {
	CAFile, CertFile, KeyFile string
	// CAKeyMounted: ca.key is in the directory. Fine for development;
	// in production the caller warns, since anyone who reads it can mint
	// certificates the whole cluster trusts.
	CAKeyMounted bool
	// NotAfter is when tls.crt's leaf certificate expires.
	NotAfter time.Time
}

// Identity is what the node's certificate names: CommonName as its
// subject (the principal under mutual TLS), Hosts as its subject
// alternative names, DNS names or IP addresses.
type Identity struct {
	CommonName string
	Hosts      []string
}

// Problem is one thing wrong with one file of the directory.
type Problem struct {
	File string // the path of the file, or of the directory
	Err  error
}

func (p *Problem) Error() string { return p.File + ": " + p.Err.Error() }
func (p *Problem) Unwrap() error { return p.Err }

// joinProblems makes one error of several, which roles.Problems (and
// multierror's WrappedErrors) splits again to print one per line.
func joinProblems(problems []error) error {
	if len(problems) == 0 {
		return nil
	}
	return multierror.Append(nil, problems...)
}

// stamp formats a validity bound as the messages show it.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
