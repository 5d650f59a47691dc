package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Certificates of the cluster, made fresh by every up: one CA signs the
// API server's serving certificate, every component's client certificate
// (its identity is the subject, as Kubernetes' authenticators read it) and
// the kubelets' serving certificates.
type pki struct {
	dir    string
	caCert *x509.Certificate
	caKey  crypto.Signer
}

// client identities: file stem, common name (the user), organisation (the group).
var clientIdentities = []struct{ stem, cn, org string }{
	{"admin", "kinit-admin", "system:masters"},
	{"controller-manager", "system:kube-controller-manager", ""},
	{"scheduler", "system:kube-scheduler", ""},
	{"coredns", "system:coredns", ""},
	{"apiserver-kubelet-client", "kube-apiserver-kubelet-client", "system:masters"},
}

func (c *cluster) writePKI(context.Context) error {
	p, err := newPKI(c.path("pki"))
	if err != nil {
		return err
	}
	if err := p.issue("apiserver", "kube-apiserver", "", true,
		[]string{"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc." + dnsDomain, "localhost"},
		[]net.IP{net.ParseIP(hostIP), net.ParseIP("127.0.0.1"), net.ParseIP(serviceIP)}); err != nil {
		return err
	}
	for _, id := range clientIdentities {
		if err := p.issue(id.stem, id.cn, id.org, false, nil, nil); err != nil {
			return err
		}
	}
	for _, n := range c.nodes {
		if err := p.issue(n.name, "system:node:"+n.name, "system:nodes", false, nil, nil); err != nil {
			return err
		}
		if err := p.issue(n.name+"-serving", "system:node:"+n.name, "system:nodes", true, []string{n.name}, []net.IP{net.ParseIP(hostIP)}); err != nil {
			return err
		}
	}
	// The service account token key: the API server verifies with the public
	// half, the controller manager signs the tokens it hands to pods.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	if err := writeKey(filepath.Join(p.dir, "sa.key"), key); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(p.dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		return err
	}
	server := fmt.Sprintf("https://%s:%d", hostIP, apiPort)
	for _, id := range clientIdentities {
		if id.stem == "apiserver-kubelet-client" {
			continue
		}
		if err := p.kubeconfig(c.path("pki", id.stem+".kubeconfig"), server, id.stem); err != nil {
			return err
		}
	}
	for _, n := range c.nodes {
		if err := p.kubeconfig(n.kubeconfig(), server, n.name); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(c.path("pki", "admin.kubeconfig"))
	if err != nil {
		return err
	}
	return os.WriteFile(c.kubeconfig(), data, 0o600)
}

func newPKI(dir string) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "kinit test cluster CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p := &pki{dir: dir, caCert: cert, caKey: key}
	if err := writeCert(filepath.Join(dir, "ca.crt"), der); err != nil {
		return nil, err
	}
	return p, writeKey(filepath.Join(dir, "ca.key"), key)
}

func (p *pki) issue(stem, cn, org string, serving bool, dns []string, ips []net.IP) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	if org != "" {
		tmpl.Subject.Organization = []string{org}
	}
	if serving {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		return err
	}
	if err := writeCert(filepath.Join(p.dir, stem+".crt"), der); err != nil {
		return err
	}
	return writeKey(filepath.Join(p.dir, stem+".key"), key)
}

// kubeconfig writes a kubeconfig naming the files (not embedding them), so
// a person reading it sees which identity it is.
func (p *pki) kubeconfig(path, server, stem string) error {
	body := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kinit-test
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: %s
  user:
    client-certificate: %s
    client-key: %s
contexts:
- name: kinit-test
  context: {cluster: kinit-test, user: %s}
current-context: kinit-test
`, server, filepath.Join(p.dir, "ca.crt"), stem,
		filepath.Join(p.dir, stem+".crt"), filepath.Join(p.dir, stem+".key"), stem)
	return os.WriteFile(path, []byte(body), 0o600)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n
}

func writeCert(path string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
