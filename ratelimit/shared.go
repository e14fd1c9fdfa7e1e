package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Shared is a token bucket per key kept in Redis, so that every serve process draws on the same
// budget: GCRA (go-redis/redis_rate), one script call per request. When Redis does not answer,
// the request is let through (an outage of the limiter must not take the API down); Outage logs
// it once and counts it.
type Shared struct {
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit
	prefix  string
	outage  *Outage
}

// NewShared returns buckets in Redis under prefix that refill at perSecond tokens a second up to
// burst, the same budget as New's. Keys are prefix+key (redis_rate adds its own "rate:").
func NewShared(client *redis.Client, prefix string, perSecond float64, burst int, outage *Outage) *Shared {
	// GCRA only needs the time between two tokens, Period/Rate: one token per interval keeps
	// fractional rates (20 an hour) exact.
	interval := time.Duration(float64(time.Second) / perSecond)
	return &Shared{
		limiter: redis_rate.NewLimiter(client),
		limit:   redis_rate.Limit{Rate: 1, Period: interval, Burst: burst},
		prefix:  prefix,
		outage:  outage,
	}
}

// Allow takes a token from key's bucket. When there is none, it reports false and how long until
// there will be one. When Redis fails, it reports true.
func (s *Shared) Allow(ctx context.Context, key string) (bool, time.Duration) {
	res, err := s.limiter.Allow(ctx, s.prefix+key, s.limit)
	if err != nil {
		if ctx.Err() == nil {
			s.outage.Failed(ctx, err)
		}
		return true, 0
	}
	s.outage.Answered(ctx)
	if res.Allowed == 0 {
		return false, max(res.RetryAfter, 0)
	}
	return true, 0
}

// Outage tracks whether the shared limiters can reach Redis. It logs the first failure after a
// success (and the recovery), not every request, and calls Count for every request let through
// unchecked. One Outage serves all the limiters of a process.
type Outage struct {
	Log   *slog.Logger
	Count func() // e.g. a Prometheus counter's Inc; nil counts nothing

	down atomic.Bool
}

// Failed records a request let through because Redis failed with err.
func (o *Outage) Failed(ctx context.Context, err error) {
	if o.Count != nil {
		o.Count()
	}
	if !o.down.Swap(true) {
		o.Log.WarnContext(ctx, "rate limiter cannot reach Redis; letting requests through unlimited until it answers", "error", err)
	}
}

// Answered records that Redis answered a limiter.
func (o *Outage) Answered(ctx context.Context) {
	if o.down.Load() && o.down.Swap(false) {
		o.Log.InfoContext(ctx, "rate limiter reaches Redis again; limits are shared once more")
	}
}
