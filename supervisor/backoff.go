package supervisor

import (
	"github.com/kinit/kinit/plan"
	"math/rand/v2"
	"time"
)

// backoffDelay is the pause before restart number failures (1-based):
// min doubled per earlier failure, capped at max, minus up to
// backoffJitter of it at random, and never below the spawn floor when the
// last run did not become ready.
func backoffDelay(r plan.Restart, failures int, sinceSpawn time.Duration, wasReady bool) time.Duration {
	d := r.BackoffMin
	for i := 1; i < failures && d < r.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, r.BackoffMax)
	if backoffJitter > 0 && d > 0 {
		d -= time.Duration(rand.Float64() * backoffJitter * float64(d))
	}
	if !wasReady && sinceSpawn+d < minSpawnInterval {
		d = minSpawnInterval - sinceSpawn
	}
	return max(d, 0)
}
