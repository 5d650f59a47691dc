package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/roles"
	"github.com/kinit/kinit/test/nethost"
)

// A broker secured the Confluent-image way, by KAFKA_* variables alone
// (KINIT_SECURITY left plaintext): its listener SASL_SSL with PLAIN users
// in the JAAS line (read from a _FILE), a PEM keystore and truststore.
// kinit's probe reads the listener's security from the rendered
// properties and logs in as KINIT_ADMIN_USER with KINIT_ADMIN_PASSWORD_FILE:
// the broker is ready, registered and unfenced, and the password is in no
// line kinit wrote.
func TestKRaftOperatorSecured(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := nethost.New(t, nethost.Config{Names: []string{"ctl-1", "brk-2"}})
	mark := milestones(t)
	ctl, brk := c.Host("ctl-1"), c.Host("brk-2")

	tls := filepath.Join(brk.Dir, "tls")
	if err := tlsdir.NewCA(tls, "operator CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsdir.Issue(tls, tlsdir.Identity{CommonName: brk.FQDN, Hosts: []string{brk.FQDN}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	m, err := tlsdir.Check(tls, []string{brk.FQDN}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := tlsdir.KafkaPEM(m)
	if err != nil {
		t.Fatal(err)
	}
	const password = "operator-Admin-pw9"
	files := map[string]string{
		"keystore.pem":   string(pem),
		"admin.password": password + "\n",
		"jaas.config": fmt.Sprintf(`org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="%s" user_admin="%s";`,
			password, password),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(brk.Dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	members := fmt.Sprintf("controller=%s;broker=%s", ctl.FQDN, brk.FQDN)
	common := []string{"KINIT_CONFIG_ID=kraft-production", "KINIT_NODES=" + members, "KINIT_CLUSTER_ID=" + roles.NewClusterID()}
	controller := newNode(t, c, ctl, append(common, "KINIT_ROLE=controller")...)
	broker := newNode(t, c, brk, append(common, "KINIT_ROLE=broker",
		"KAFKA_LISTENERS=SASL_SSL://0.0.0.0:9092",
		"KAFKA_ADVERTISED_LISTENERS=SASL_SSL://"+brk.FQDN+":9092",
		"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
		"KAFKA_INTER_BROKER_LISTENER_NAME=SASL_SSL",
		"KAFKA_SASL_ENABLED_MECHANISMS=PLAIN",
		"KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL=PLAIN",
		"KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG_FILE="+filepath.Join(brk.Dir, "jaas.config"),
		"KAFKA_SSL_KEYSTORE_TYPE=PEM",
		"KAFKA_SSL_KEYSTORE_LOCATION="+filepath.Join(brk.Dir, "keystore.pem"),
		"KAFKA_SSL_TRUSTSTORE_TYPE=PEM",
		"KAFKA_SSL_TRUSTSTORE_LOCATION="+filepath.Join(tls, tlsdir.CAFile),
		"KINIT_ADMIN_PASSWORD_FILE="+filepath.Join(brk.Dir, "admin.password"))...)
	controller.start(t)
	broker.start(t)
	controller.waitReady(ctx, t)
	broker.waitReady(ctx, t)
	mark("broker secured by KAFKA_* variables ready through a probe that logs in")

	if out := broker.proc.Output(); strings.Contains(out, password) {
		t.Errorf("the password is in kinit's output")
	}
	if out, _ := broker.kinit(ctx, "check"); strings.Contains(string(out), password) {
		t.Errorf("the password is in kinit check")
	}
}
