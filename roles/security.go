// The node's security settings: one switch and where its material is.

package roles

import (
	"path/filepath"
	"regexp"
	"sync"
)

// SecurityMode is what KINIT_SECURITY selects for the cluster's listeners.
type SecurityMode string

// Security modes.
const (
	// SecurityPlaintext: every listener PLAINTEXT, probes unauthenticated.
	SecurityPlaintext SecurityMode = "plaintext"
	// SecuritySASLSSL: client and inter-broker listeners SASL_SSL with
	// SCRAM-SHA-512, the KRaft controller listener mutual TLS (SCRAM on
	// the controller listener is broken upstream, KAFKA-15513).
	SecuritySASLSSL SecurityMode = "sasl_ssl"
)

// Variables of the security settings, and their defaults.
const (
	EnvSecurity          = "KINIT_SECURITY"
	EnvTLSDir            = "KINIT_TLS_DIR"
	EnvAdminUser         = "KINIT_ADMIN_USER"
	EnvAdminPasswordFile = "KINIT_ADMIN_PASSWORD_FILE"
	EnvUsersDir          = "KINIT_USERS_DIR"
	EnvTenantsFile       = "KINIT_TENANTS_FILE"

	// DefaultTLSDir is the Kubernetes Secret / cert-manager layout's mount
	// point: ca.crt, tls.crt, tls.key.
	DefaultTLSDir    = "/etc/kinit/tls"
	DefaultAdminUser = "admin"
)

// Security is how this node's cluster is secured.
type Security struct {
	Mode SecurityMode
	// TLSDir holds ca.crt, tls.crt and tls.key (and, for development
	// only, ca.key: the node's certificate is then issued at start).
	TLSDir string
	// AdminUser is the SCRAM user brokers talk to each other as and
	// kinit's probes authenticate as; its password is in
	// AdminPasswordFile.
	AdminUser, AdminPasswordFile string
	// UsersDir holds the client users, one file per user holding its
	// password (a Kubernetes Secret mounted as a directory); "" for none.
	UsersDir string
	// TenantsFile, when set, turns the authorizer on (only the admin user
	// and the nodes themselves are super users) and names the tenants
	// whose users, ACLs and quotas the brokers' nodes keep (docs/security.md).
	TenantsFile string
}

// Authorizes reports whether the cluster's brokers and controllers run
// an authorizer: with tenants.
func (s Security) Authorizes() bool { return s.TenantsFile != "" }

// Secure reports whether listeners need TLS and SASL.
func (s Security) Secure() bool { return s.Mode == SecuritySASLSSL }

// scramName is what a SCRAM user name may be here: kafka-storage's
// --add-scram and the JAAS line quote nothing, so no separator may appear.
var scramName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`) })

// resolveSecurity reads the security variables; every problem names its
// variable.
func (n *Node) resolveSecurity(env Env, c *Collector) {
	s := Security{Mode: SecurityMode(env.Get(EnvSecurity)), TLSDir: env.Get(EnvTLSDir),
		AdminUser: env.Get(EnvAdminUser), AdminPasswordFile: env.Get(EnvAdminPasswordFile), UsersDir: env.Get(EnvUsersDir)}
	switch s.Mode {
	case "":
		s.Mode = SecurityPlaintext
	case SecurityPlaintext, SecuritySASLSSL:
	default:
		c.Add("", 0, "%s: %q is not a security mode (want %s or %s)", EnvSecurity, s.Mode, SecurityPlaintext, SecuritySASLSSL)
	}
	if s.TLSDir == "" {
		s.TLSDir = DefaultTLSDir
	}
	if s.AdminUser == "" {
		s.AdminUser = DefaultAdminUser
	}
	tenantsFrom := EnvTenantsFile
	if s.TenantsFile = env.Get(EnvTenantsFile); s.TenantsFile == "" && n.Config.Cluster.TenantsFile != "" {
		s.TenantsFile, tenantsFrom = n.Config.Cluster.TenantsFile, "[cluster] tenants_file"
	}
	n.Security = s
	if s.TenantsFile != "" && !s.Secure() {
		// Without SASL every client is User:ANONYMOUS: ACLs per tenant
		// would mean nothing.
		c.Add("", 0, "%s=%s needs %s=%s: tenants are SCRAM users", tenantsFrom, s.TenantsFile, EnvSecurity, SecuritySASLSSL)
	}
	if s.TenantsFile != "" && !filepath.IsAbs(s.TenantsFile) {
		c.Add("", 0, "%s: %q is not an absolute path", tenantsFrom, s.TenantsFile)
	}
	if !s.Secure() {
		return
	}
	if !filepath.IsAbs(s.TLSDir) {
		c.Add("", 0, "%s: %q is not an absolute path", EnvTLSDir, s.TLSDir)
	}
	if s.UsersDir != "" && !filepath.IsAbs(s.UsersDir) {
		c.Add("", 0, "%s: %q is not an absolute path", EnvUsersDir, s.UsersDir)
	}
	if !scramName().MatchString(s.AdminUser) {
		c.Add("", 0, "%s: %q is not a user name (letters, digits, '.', '_', '-'; at most 64)", EnvAdminUser, s.AdminUser)
	}
	switch {
	case s.AdminPasswordFile == "":
		c.Add("", 0, "%s is not set: %s=%s needs the file holding %s's password", EnvAdminPasswordFile, EnvSecurity, s.Mode, s.AdminUser)
	case !filepath.IsAbs(s.AdminPasswordFile):
		c.Add("", 0, "%s: %q is not an absolute path", EnvAdminPasswordFile, s.AdminPasswordFile)
	}
}

// SecuredClient reports whether s is a Kafka client kinit secures on a
// secured node: it is given the node's TLS material and the admin user's
// SCRAM credentials, and its HTTP probes go over TLS where it serves TLS.
func SecuredClient(s *Service) bool {
	return s.Kind == KindSchemaRegistry || s.Kind == KindControlCenter
}
