package macros

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kinit/kinit/internal/tlsdir"
	"github.com/kinit/kinit/roles"
)

// material checks the node's TLS material (every problem, each naming its
// file) and renders the Kafka keystore from it into s. A mounted CA key is
// a warning: whoever reads it can mint certificates the cluster trusts.
// ExpiryWarning is how long before the node's certificate expires kinit
// starts warning, at start and at every reload.
const ExpiryWarning = 30 * 24 * time.Hour

func (b *builder) material(s *secured) {
	n := b.node
	m, err := tlsdir.Check(s.TLSDir, n.TLSHosts(), time.Now())
	for _, p := range problems(err) {
		b.errs.Add("", 0, "%s=%s: %v", roles.EnvTLSDir, s.TLSDir, p)
	}
	if err != nil {
		return
	}
	if left := time.Until(m.NotAfter); left < ExpiryWarning {
		b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf("%s/%s expires in %d days (%s): replace it; kinit reloads it without a restart",
			s.TLSDir, tlsdir.CertFile, int(left.Hours()/24), m.NotAfter.UTC().Format(time.DateOnly)))
	}
	if m.CAKeyMounted {
		b.plan.Warnings = append(b.plan.Warnings, s.TLSDir+" holds ca.key: fine for development, never in production (whoever reads it can mint certificates the cluster trusts)")
	}
	if s.keystore, err = tlsdir.KafkaPEM(m); err != nil {
		for _, p := range problems(err) {
			b.errs.Add("", 0, "%s=%s: %v", roles.EnvTLSDir, s.TLSDir, p)
		}
	}
}

// problems splits what tlsdir reports into one error per problem.
func problems(err error) []error {
	var me *multierror.Error
	if errors.As(err, &me) {
		return me.WrappedErrors()
	}
	if err != nil {
		return []error{err}
	}
	return nil
}
