package tlsdir

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Check reads dir's ca.crt, tls.crt and tls.key and returns where they
// are. The error holds every problem found, each a *Problem naming its
// file: missing or unreadable, not PEM or not a certificate or key,
// expired or not yet valid at now, tls.crt not naming one of hosts, not
// for both server and client authentication, not signed by ca.crt,
// tls.key not its key, a key file others may read.
func Check(dir string, hosts []string, now time.Time) (Material, error) {
	m := Material{
		CAFile:   filepath.Join(dir, CAFile),
		CertFile: filepath.Join(dir, CertFile),
		KeyFile:  filepath.Join(dir, KeyFile),
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		what := "is not a directory"
		if err != nil {
			what = describeReadError(err).Error()
		}
		return m, joinProblems([]error{&Problem{File: dir, Err: fmt.Errorf("TLS directory %s: it must hold %s, %s and %s", what, CAFile, CertFile, KeyFile)}})
	}
	c := checker{now: now}
	cas := c.certs(m.CAFile)
	chain := c.certs(m.CertFile)
	key := c.key(m.KeyFile)
	caKey := filepath.Join(dir, CAKeyFile)
	if _, err := os.Lstat(caKey); err == nil {
		m.CAKeyMounted = true
		c.keyMode(caKey)
	}
	if len(chain) > 0 {
		leaf := chain[0]
		m.NotAfter = leaf.NotAfter
		c.hosts(m.CertFile, leaf, hosts)
		c.usage(m.CertFile, leaf)
		if key != nil && !samePublicKey(key, leaf.PublicKey) {
			c.add(m.KeyFile, fmt.Errorf("does not match the certificate in %s", m.CertFile))
		}
		if len(cas) > 0 {
			c.signed(m.CertFile, m.CAFile, chain, cas)
		}
	}
	// Grouped by file, in the order the files are listed above.
	rank := func(e error) int {
		return slices.Index([]string{m.CAFile, m.CertFile, m.KeyFile, caKey}, e.(*Problem).File)
	}
	slices.SortStableFunc(c.problems, func(a, b error) int { return rank(a) - rank(b) })
	return m, joinProblems(c.problems)
}

type checker struct {
	now      time.Time
	problems []error
}

func (c *checker) add(file string, err error) {
	c.problems = append(c.problems, &Problem{File: file, Err: err})
}

// certs reads the certificates of path and checks each is valid now.
func (c *checker) certs(path string) []*x509.Certificate {
	data, err := readFile(path)
	if err != nil {
		c.add(path, err)
		return nil
	}
	certs, err := parseCerts(data)
	if err != nil {
		c.add(path, err)
		return nil
	}
	for i, cert := range certs {
		which := "certificate"
		if len(certs) > 1 {
			which = fmt.Sprintf("certificate %d", i+1)
		}
		which += fmt.Sprintf(" (%s)", cert.Subject)
		switch {
		case c.now.After(cert.NotAfter):
			c.add(path, fmt.Errorf("%s expired at %s", which, stamp(cert.NotAfter)))
		case c.now.Before(cert.NotBefore):
			c.add(path, fmt.Errorf("%s is not valid before %s", which, stamp(cert.NotBefore)))
		}
	}
	return certs
}

// key reads the private key of path and checks who may read the file.
func (c *checker) key(path string) crypto.Signer {
	data, err := readFile(path)
	if err != nil {
		c.add(path, err)
		return nil
	}
	c.keyMode(path)
	k, err := parseKey(data)
	if err != nil {
		c.add(path, err)
		return nil
	}
	return k
}

// keyMode: a private key others may read, or the group may change, is
// refused. Group read is allowed: every service of the image runs as its
// one user and group anyway, and a Kubernetes Secret volume with fsGroup
// (the way a non-root pod reads it) shows defaultMode 0400 as 0440. The
// mode is the target's: a Secret volume's files are links.
func (c *checker) keyMode(path string) {
	st, err := os.Stat(path)
	if err != nil {
		return
	}
	if perm := st.Mode().Perm(); perm&0o037 != 0 {
		c.add(path, fmt.Errorf("mode %04o gives others access, or the group more than read access, to the private key; want 0600 or 0400, or 0640 or 0440 for a group (a Kubernetes Secret volume: defaultMode: 0400, shown as 0440 with fsGroup)", perm))
	}
}

// hosts checks that leaf names every host, as a client connecting to it
// would (wildcards, IP addresses; the common name does not count).
func (c *checker) hosts(path string, leaf *x509.Certificate, hosts []string) {
	for _, h := range hosts {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if leaf.VerifyHostname(h) != nil {
			c.add(path, fmt.Errorf("does not name host %q (its names: %s)", h, nameList(leaf)))
		}
	}
}

func nameList(cert *x509.Certificate) string {
	var names []string
	for _, d := range cert.DNSNames {
		names = append(names, "DNS:"+d)
	}
	for _, ip := range cert.IPAddresses {
		names = append(names, "IP:"+ip.String())
	}
	if len(names) == 0 {
		return "none; the common name alone does not count"
	}
	return strings.Join(names, ", ")
}

// usage: the node's certificate serves its listeners and authenticates it
// to mutual-TLS listeners, so an extended key usage, when present, must
// allow both.
func (c *checker) usage(path string, leaf *x509.Certificate) {
	eku := leaf.ExtKeyUsage
	if len(eku) == 0 || slices.Contains(eku, x509.ExtKeyUsageAny) {
		return
	}
	var missing []string
	if !slices.Contains(eku, x509.ExtKeyUsageServerAuth) {
		missing = append(missing, "server auth")
	}
	if !slices.Contains(eku, x509.ExtKeyUsageClientAuth) {
		missing = append(missing, "client auth")
	}
	if len(missing) > 0 {
		c.add(path, fmt.Errorf("extended key usage lacks %s: the node's certificate must allow server and client authentication", strings.Join(missing, " and ")))
	}
}

// signed checks that chain leads to one of cas. An expired or not yet
// valid certificate is reported already, so when that is all Verify finds
// at now, the signatures are checked again at a time every certificate is
// valid, if there is one.
func (c *checker) signed(path, caPath string, chain, cas []*x509.Certificate) {
	opts := x509.VerifyOptions{
		Roots:         x509.NewCertPool(),
		Intermediates: x509.NewCertPool(),
		CurrentTime:   c.now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	for _, ca := range cas {
		opts.Roots.AddCert(ca)
	}
	for _, ic := range chain[1:] {
		opts.Intermediates.AddCert(ic)
	}
	_, err := chain[0].Verify(opts)
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.Expired {
		all := append(slices.Clone(chain), cas...)
		from, until := all[0].NotBefore, all[0].NotAfter
		for _, cert := range all[1:] {
			if cert.NotBefore.After(from) {
				from = cert.NotBefore
			}
			if cert.NotAfter.Before(until) {
				until = cert.NotAfter
			}
		}
		if from.After(until) {
			return // no moment to check at; the validity problems stand
		}
		opts.CurrentTime = from
		_, err = chain[0].Verify(opts)
	}
	if err != nil {
		c.add(path, fmt.Errorf("not signed by the CA in %s (%v)", caPath, err))
	}
}
