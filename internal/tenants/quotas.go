package tenants

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
)

// The client quota keys of a user entity, in Kafka's words.
const (
	keyProduce = "producer_byte_rate"
	keyConsume = "consumer_byte_rate"
	keyRequest = "request_percentage"
)

// values are q as quota keys; a key absent is no quota.
func (q Quotas) values() map[string]float64 {
	out := map[string]float64{}
	if q.ProduceBytes > 0 {
		out[keyProduce] = float64(q.ProduceBytes)
	}
	if q.ConsumeBytes > 0 {
		out[keyConsume] = float64(q.ConsumeBytes)
	}
	if q.RequestPercentage > 0 {
		out[keyRequest] = q.RequestPercentage
	}
	return out
}

func userEntity(tenant string) kadm.ClientQuotaEntity {
	return kadm.ClientQuotaEntity{{Type: "user", Name: &tenant}}
}

// reconcileQuotas sets the three keys of the entity user=<tenant> as q
// says and removes those q leaves unset; only what differs is sent.
// Other keys of the entity, and other entities (user and client-id
// pairs, defaults), are not the file's and are left alone.
func reconcileQuotas(ctx context.Context, adm *kadm.Client, tenant string, q Quotas) error {
	have, err := adm.DescribeClientQuotas(ctx, true, []kadm.DescribeClientQuotaComponent{{Type: "user", MatchName: &tenant, MatchType: 0}})
	if err != nil {
		return fmt.Errorf("describing the quotas of user=%s: %w", tenant, err)
	}
	current := map[string]float64{}
	for _, d := range have {
		if len(d.Entity) != 1 || d.Entity[0].Type != "user" || d.Entity[0].Name == nil || *d.Entity[0].Name != tenant {
			continue
		}
		for _, v := range d.Values {
			current[v.Key] = v.Value
		}
	}
	want := q.values()
	var ops []kadm.AlterClientQuotaOp
	for _, k := range []string{keyProduce, keyConsume, keyRequest} {
		w, set := want[k]
		c, has := current[k]
		switch {
		case set && (!has || c != w):
			ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Value: w})
		case !set && has:
			ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Remove: true})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	res, err := adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: userEntity(tenant), Ops: ops}})
	if err != nil {
		return fmt.Errorf("altering the quotas of user=%s: %w", tenant, err)
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("altering the quotas of user=%s: %w", tenant, withMessage(r.Err, r.ErrMessage))
		}
	}
	return nil
}
