package probe_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kinit/kinit/internal/testkit"
	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor/probe"
	"github.com/kinit/kinit/supervisor/reaper"
	"github.com/kinit/kinit/test/kafkahome"
)

// tlsZooKeeper is a real ZooKeeper 3.8 (Kafka 3.9's) serving only a
// secureClientPort that needs a client certificate. Its certificate
// names localhost only, not 127.0.0.1: a probe without a ServerName must
// check the name it dialled, not the address that name resolved to.
type tlsZooKeeper struct {
	addr  string    // localhost:<secureClientPort>
	ip    string    // 127.0.0.1:<secureClientPort>, a name its certificate lacks
	port  int       //
	tls   *plan.TLS // the CA, and a client certificate it issued
	other string    // ca.crt of a CA ZooKeeper does not trust
}

func startTLSZooKeeper(t *testing.T, extraProps string) tlsZooKeeper {
	t.Helper()
	home := kafkahome.Dir(t)
	dir := t.TempDir()
	now := time.Now()
	caDir, otherDir := filepath.Join(dir, "tls"), filepath.Join(dir, "other")
	for _, d := range []string{caDir, otherDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := tlsdir.NewCA(d, filepath.Base(d)+" test CA", now); err != nil {
			t.Fatal(err)
		}
	}
	// The probes' client certificate, from kinit's development CA.
	if _, err := tlsdir.Issue(caDir, tlsdir.Identity{CommonName: "kinit-probe", Hosts: []string{"localhost"}}, now); err != nil {
		t.Fatal(err)
	}
	m, err := tlsdir.Check(caDir, []string{"localhost"}, now)
	if err != nil {
		t.Fatal(err)
	}
	keystorePath := filepath.Join(dir, "keystore.pem")
	if err := os.WriteFile(keystorePath, serverKeystore(t, caDir, now), 0o600); err != nil {
		t.Fatal(err)
	}
	port := testkit.FreePorts(t, 1)[0]
	props := filepath.Join(dir, "zookeeper.properties")
	if err := os.WriteFile(props, fmt.Appendf(nil, `dataDir=%s/data
secureClientPort=%d
secureClientPortAddress=127.0.0.1
serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
ssl.keyStore.location=%s
ssl.keyStore.type=PEM
ssl.trustStore.location=%s
ssl.trustStore.type=PEM
ssl.clientAuth=need
ssl.hostnameVerification=false
4lw.commands.whitelist=ruok,srvr,mntr
admin.enableServer=false
%s`, dir, port, keystorePath, m.CAFile, extraProps), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "zookeeper.out")
	out, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(filepath.Join(home, "bin/zookeeper-server-start"), props)
	cmd.Env = append(append(os.Environ(), kafkahome.JVMEnv()...), "KAFKA_HEAP_OPTS=-Xms128m -Xmx128m", "LOG_DIR="+filepath.Join(dir, "logs"))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	exited, err := reaper.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	z := tlsZooKeeper{
		addr:  fmt.Sprintf("localhost:%d", port),
		ip:    fmt.Sprintf("127.0.0.1:%d", port),
		port:  port,
		tls:   &plan.TLS{CAFile: m.CAFile, CertFile: m.CertFile, KeyFile: m.KeyFile},
		other: filepath.Join(otherDir, tlsdir.CAFile),
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		reply, err := probe.FourLetterTLS(ctx, z.addr, "ruok", z.tls)
		cancel()
		if err == nil && reply == "imok" {
			return z
		}
		select {
		case st := <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("zookeeper exited (%s) before answering ruok over TLS:\n%s", st, log)
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("zookeeper did not answer ruok over TLS (last: %q, %v):\n%s", reply, err, log)
		}
	}
}

// serverKeystore is ZooKeeper's ssl.keyStore.type=PEM file: a PKCS#8
// key, then a certificate naming localhost only (DNS, no IP address)
// signed by caDir's CA, then the CA.
func serverKeystore(t *testing.T, caDir string, now time.Time) []byte {
	t.Helper()
	ca, err := tls.LoadX509KeyPair(filepath.Join(caDir, tlsdir.CAFile), filepath.Join(caDir, tlsdir.CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(ca.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "zookeeper"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), ca.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, b := range []*pem.Block{{Type: "PRIVATE KEY", Bytes: pkcs8}, {Type: "CERTIFICATE", Bytes: der}, {Type: "CERTIFICATE", Bytes: caCert.Raw}} {
		out = append(out, pem.EncodeToMemory(b)...)
	}
	return out
}

// session opens a TLS session of the test's own (the probes' is what is
// under test), to write znodes.
func (z tlsZooKeeper) session(t *testing.T) *zk.Conn {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(z.tls.CertFile, z.tls.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(z.tls.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, ServerName: "localhost"}
	dial := func(network, addr string, timeout time.Duration) (net.Conn, error) {
		return tls.DialWithDialer(&net.Dialer{Timeout: timeout}, network, addr, cfg)
	}
	conn, events, err := zk.Connect([]string{z.addr}, 10*time.Second, zk.WithDialer(dial), zk.WithLogger(quiet{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return conn
			}
		case <-timeout:
			t.Fatalf("the test's own TLS session to %s was not granted (%s)", z.addr, conn.State())
		}
	}
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

func checkFor(p probe.Prober, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.Check(ctx)
}

// The ZooKeeper probes speak TLS with a client certificate to a
// ZooKeeper that serves only a secureClientPort with ssl.clientAuth=need:
// four-letter words and sessions pass; a probe without a client
// certificate, trusting another CA or expecting another name fails with
// a status line that says so, and a plaintext probe fails.
func TestZooKeeperTLS(t *testing.T) {
	z := startTLSZooKeeper(t, "")

	t.Run("four-letter words", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if v := tlsVersion(t, z); v != "" {
			t.Logf("ZooKeeper speaks %s", v)
		}
		reply, err := probe.FourLetterTLS(ctx, z.addr, "srvr", z.tls)
		if err != nil {
			t.Fatal(err)
		}
		s, err := probe.ParseSrvr(reply)
		if err != nil || s.Mode != "standalone" {
			t.Fatalf("srvr over TLS: %+v, %v (reply %q)", s, err, reply)
		}
		reply, err = probe.FourLetterTLS(ctx, z.addr, "mntr", z.tls)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := probe.ParseMntr(reply); err != nil || m.State != "standalone" {
			t.Fatalf("mntr over TLS: %+v, %v", m, err)
		}
	})

	localhostName := *z.tls
	localhostName.ServerName = "localhost"
	t.Run("passes", func(t *testing.T) {
		for _, p := range []probe.Prober{
			probe.ZooKeeper{Addr: z.addr, TLS: z.tls},
			probe.ZooKeeperQuorum{Connect: z.addr, TLS: z.tls},
			probe.ZooKeeperQuorum{Connect: z.addr + "/", TLS: z.tls},
			// A ServerName stands for the name dialled.
			probe.ZooKeeper{Addr: z.ip, TLS: &localhostName},
			probe.ZooKeeperQuorum{Connect: z.ip, TLS: &localhostName},
		} {
			if err := checkFor(p, 20*time.Second); err != nil {
				t.Errorf("%T %s over TLS: %v", p, p, err)
			}
		}
	})

	t.Run("brokers", func(t *testing.T) {
		one := 1
		none := probe.KafkaZK{Connect: z.addr, MinBrokers: 1, ZKTLS: z.tls}
		if err := checkFor(none, 20*time.Second); err == nil || !strings.Contains(err.Error(), "0 of 1") && !strings.Contains(err.Error(), "registered") {
			t.Fatalf("KafkaZK with no broker registered: %v, want a failure counting the brokers", err)
		}
		// Nothing registered: the gate decides from mntr over TLS.
		if err := checkFor(probe.KafkaZK{Connect: z.addr, BrokerID: &one, Unregistered: true, ZKTLS: z.tls}, 20*time.Second); err != nil {
			t.Fatalf("unregistered gate with no broker: %v", err)
		}
		c := z.session(t)
		for _, p := range []string{"/brokers", "/brokers/ids"} {
			if _, err := c.Create(p, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
				t.Fatal(err)
			}
		}
		if _, err := c.Create("/brokers/ids/1", []byte(`{"host":"b-1"}`), zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
		for _, p := range []probe.KafkaZK{
			{Connect: z.addr, MinBrokers: 1, ZKTLS: z.tls},
			{Connect: z.addr, BrokerID: &one, ZKTLS: z.tls},
			{Connect: z.ip, BrokerID: &one, ZKTLS: &localhostName},
		} {
			if err := checkFor(p, 20*time.Second); err != nil {
				t.Errorf("KafkaZK %+v with broker 1 registered: %v", p, err)
			}
		}
		// Broker 1 registered: the gate reads its registration in a TLS
		// session (mntr counts an ephemeral).
		if err := checkFor(probe.KafkaZK{Connect: z.addr, BrokerID: &one, Unregistered: true, ZKTLS: z.tls}, 20*time.Second); err == nil {
			t.Fatal("unregistered gate passed while broker 1 is registered")
		}
		if err := checkFor(probe.KafkaZK{Connect: z.addr, MinBrokers: 2, ZKTLS: z.tls}, 20*time.Second); err == nil {
			t.Fatal("KafkaZK wanting 2 brokers passed with 1 registered")
		}
	})

	noClientCert := &plan.TLS{CAFile: z.tls.CAFile}
	otherCA := &plan.TLS{CAFile: z.other, CertFile: z.tls.CertFile, KeyFile: z.tls.KeyFile}
	wrongName := &plan.TLS{CAFile: z.tls.CAFile, CertFile: z.tls.CertFile, KeyFile: z.tls.KeyFile, ServerName: "zk-elsewhere.example"}
	refused := []struct {
		name   string
		p      probe.Prober
		reason string // in the status line (Summary)
	}{
		{"no client certificate, four-letter", probe.ZooKeeper{Addr: z.addr, TLS: noClientCert}, "TLS: the server refused the handshake"},
		{"no client certificate, session", probe.ZooKeeperQuorum{Connect: z.addr, TLS: noClientCert}, "TLS: the server refused the handshake"},
		{"no client certificate, brokers", probe.KafkaZK{Connect: z.addr, MinBrokers: 1, ZKTLS: noClientCert}, "TLS: the server refused the handshake"},
		{"another CA, four-letter", probe.ZooKeeper{Addr: z.addr, TLS: otherCA}, "TLS: certificate signed by unknown authority"},
		{"another CA, session", probe.ZooKeeperQuorum{Connect: z.addr, TLS: otherCA}, "TLS: certificate signed by unknown authority"},
		{"another CA, brokers", probe.KafkaZK{Connect: z.addr, MinBrokers: 1, ZKTLS: otherCA}, "TLS: certificate signed by unknown authority"},
		{"another name, four-letter", probe.ZooKeeper{Addr: z.addr, TLS: wrongName}, "TLS: certificate is not valid for zk-elsewhere.example"},
		{"another name, session", probe.ZooKeeperQuorum{Connect: z.addr, TLS: wrongName}, "TLS: certificate is not valid for zk-elsewhere.example"},
		// Without a ServerName the name dialled is checked, per dial:
		// the certificate names localhost, not 127.0.0.1.
		{"address not named, four-letter", probe.ZooKeeper{Addr: z.ip, TLS: z.tls}, "TLS: certificate is not valid for 127.0.0.1"},
		{"address not named, session", probe.ZooKeeperQuorum{Connect: z.ip, TLS: z.tls}, "TLS: certificate is not valid for 127.0.0.1"},
		{"address not named, brokers", probe.KafkaZK{Connect: z.ip, MinBrokers: 1, ZKTLS: z.tls}, "TLS: certificate is not valid for 127.0.0.1"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			err := checkFor(tt.p, 20*time.Second)
			if s := probe.Summary(err); !strings.Contains(s, tt.reason) {
				t.Fatalf("status line %q (error %v), want one saying %q", s, err, tt.reason)
			}
			t.Logf("%s", probe.Summary(err))
			// A refusal does not pass by waiting: the attempt ends on it.
			if d := time.Since(began); d > 10*time.Second {
				t.Errorf("the refusal took %s to report", d)
			}
		})
	}

	t.Run("plaintext", func(t *testing.T) {
		for _, p := range []probe.Prober{
			probe.ZooKeeper{Addr: z.addr},
			probe.ZooKeeperQuorum{Connect: z.addr},
			probe.KafkaZK{Connect: z.addr, MinBrokers: 1},
		} {
			err := checkFor(p, 3*time.Second)
			if err == nil {
				t.Fatalf("%T %s in plaintext passed against a TLS-only port", p, p)
			}
			t.Logf("%T in plaintext: %s", p, probe.Summary(err))
			if _, ok := p.(probe.ZooKeeper); ok && !strings.Contains(probe.Summary(err), "TLS-only port?") {
				t.Errorf("status line %q does not suggest the port speaks TLS", probe.Summary(err))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if reply, err := probe.FourLetter(ctx, z.addr, "ruok"); err == nil {
			t.Fatalf("plaintext ruok on a TLS-only port: %q, no error", reply)
		}
	})
}

// Under TLS 1.3 the server refuses a missing client certificate only
// after the client's side of the handshake is done: the probe reads the
// alert with the first reply, and still says what it was refused.
func TestZooKeeperTLS13(t *testing.T) {
	z := startTLSZooKeeper(t, "ssl.protocol=TLSv1.3\nssl.enabledProtocols=TLSv1.3\n"+
		"ssl.ciphersuites=TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256\n")
	if v := tlsVersion(t, z); v != "TLS 1.3" {
		t.Fatalf("ZooKeeper speaks %q, want TLS 1.3", v)
	}
	noClientCert := &plan.TLS{CAFile: z.tls.CAFile}
	for _, c := range []struct {
		p    probe.Prober
		pass bool
	}{
		{probe.ZooKeeper{Addr: z.addr, TLS: z.tls}, true},
		{probe.ZooKeeperQuorum{Connect: z.addr, TLS: z.tls}, true},
		{probe.ZooKeeper{Addr: z.addr, TLS: noClientCert}, false},
		{probe.ZooKeeperQuorum{Connect: z.addr, TLS: noClientCert}, false},
		{probe.KafkaZK{Connect: z.addr, MinBrokers: 1, ZKTLS: noClientCert}, false},
	} {
		began := time.Now()
		err := checkFor(c.p, 20*time.Second)
		switch s := probe.Summary(err); {
		case c.pass && err != nil:
			t.Errorf("%T over TLS 1.3: %v", c.p, err)
		case !c.pass && !strings.Contains(s, "TLS: the server refused the handshake") && !strings.Contains(s, "client certificate"):
			t.Errorf("%T without a client certificate: status line %q (%v), want the refused handshake", c.p, s, err)
		case !c.pass:
			t.Logf("%T without a client certificate: %s", c.p, s)
			if d := time.Since(began); d > 10*time.Second {
				t.Errorf("the refusal took %s to report", d)
			}
		}
	}
}

// A CA, certificate or key that cannot be read fails the attempt with an
// error naming the file, before any connection is made.
func TestZooKeeperTLSUnreadableFiles(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	addr := l.Addr().String()
	dir := t.TempDir()
	missingCA := &plan.TLS{CAFile: filepath.Join(dir, "ca.crt")}
	missingCert := &plan.TLS{CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key")}
	for _, c := range []struct {
		p    probe.Prober
		file string
	}{
		{probe.ZooKeeper{Addr: addr, TLS: missingCA}, missingCA.CAFile},
		{probe.ZooKeeperQuorum{Connect: addr, TLS: missingCA}, missingCA.CAFile},
		{probe.KafkaZK{Connect: addr, ZKTLS: missingCA}, missingCA.CAFile},
		{probe.KafkaZK{Connect: addr, ZKTLS: missingCert}, missingCert.CertFile},
		{probe.ZooKeeper{Addr: addr, TLS: missingCert}, missingCert.KeyFile},
	} {
		err := checkFor(c.p, 5*time.Second)
		var pe *probe.Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Reason, c.file) {
			t.Errorf("%T with %s missing: %v, want an *Error whose reason names it", c.p, c.file, err)
		}
	}
	if _, err := probe.FourLetterTLS(context.Background(), addr, "ruok", missingCA); err == nil || !strings.Contains(probe.Summary(err), missingCA.CAFile) {
		t.Errorf("FourLetterTLS with the CA missing: %v", err)
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections were made with unreadable TLS files", n)
	}
}

func tlsVersion(t *testing.T, z tlsZooKeeper) string {
	cert, err := tls.LoadX509KeyPair(z.tls.CertFile, z.tls.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", z.addr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}})
	if err != nil {
		return ""
	}
	defer c.Close()
	return tls.VersionName(c.ConnectionState().Version)
}
