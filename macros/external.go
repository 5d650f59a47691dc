// The operator's advertised.listeners against the internal listener
// kinit's services and peers use.

package macros

import (
	"fmt"
	"strings"

	"github.com/kinit/kinit/roles"
)

// warnAdvertisedOverride warns when an override of advertised.listeners
// drops the internal listener's address: the node's registry and Control
// Center, and its peers, bootstrap on that address and would be sent to
// one that does not exist inside the container network (a published
// port's localhost:19092). KINIT_EXTERNAL_ADVERTISED is the way to reach a
// broker from outside.
func (b *builder) warnAdvertisedOverride(s *roles.Service, sc *scope, overrides []Override) {
	internal, ok := sc.lookup("ADVERTISED_LISTENERS")
	if !ok {
		return
	}
	want, _, _ := strings.Cut(internal, ",")
	for _, o := range overrides {
		if o.Key != "advertised.listeners" || strings.Contains(o.Value, want) {
			continue
		}
		b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf(
			"%s=%s: service %s no longer advertises %s, the address the node's services and peers bootstrap on; to reach the broker from outside the container network, set %s=host:port instead (docs/config.md)",
			o.Var, o.Value, s.ID, want, roles.EnvExternalAdvertised))
	}
}
