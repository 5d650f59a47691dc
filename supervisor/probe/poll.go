package probe

import (
	"context"
	"time"
)

// Schedule is how often a check is repeated: First after the first failed
// attempt, doubling up to Max; each attempt gets at most Timeout. A value
// on Wake cuts the pause short: the service said it is ready (a log line,
// sd_notify), so the check runs now instead of at the next tick.
type Schedule struct {
	First   time.Duration
	Max     time.Duration
	Timeout time.Duration
	Wake    <-chan struct{}
}

// next is the pause after the given one.
func (s Schedule) next(d time.Duration) time.Duration {
	if d <= 0 {
		return max(min(s.First, s.Max), time.Millisecond)
	}
	return min(2*d, max(s.Max, time.Millisecond))
}

// Until calls check until it returns nil or ctx ends; report, when not
// nil, is called after every failed attempt with its number (from 1). It
// returns nil on success and ctx's error otherwise. Between attempts it
// sleeps on a timer, never spins.
func Until(ctx context.Context, s Schedule, check func(context.Context) error, report func(attempt int, err error)) error {
	var pause time.Duration
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for attempt := 1; ; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if s.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, s.Timeout)
		}
		err := check(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if report != nil {
			report(attempt, err)
		}
		pause = s.next(pause)
		timer.Reset(pause)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		case <-s.Wake:
			if !timer.Stop() {
				<-timer.C
			}
		}
	}
}
