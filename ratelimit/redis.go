package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCounter counts events per key in fixed windows in Redis, so that every serve process
// sees the same counts. Keys live under Prefix and expire with their window.
type RedisCounter struct {
	Client *redis.Client
	Prefix string
	Window time.Duration
}

// Incr adds one to each key (starting its window on the first event) and returns the new counts
// and the time left in each window, in one round trip.
func (r RedisCounter) Incr(ctx context.Context, keys []string) ([]int64, []time.Duration, error) {
	pipe := r.Client.TxPipeline()
	incrs := make([]*redis.IntCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		incrs[i] = pipe.Incr(ctx, r.Prefix+k)
		pipe.ExpireNX(ctx, r.Prefix+k, r.Window)
		ttls[i] = pipe.PTTL(ctx, r.Prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("count: %w", err)
	}
	counts := make([]int64, len(keys))
	left := make([]time.Duration, len(keys))
	for i := range keys {
		counts[i], left[i] = incrs[i].Val(), max(ttls[i].Val(), 0)
	}
	return counts, left, nil
}

// decrIfLive takes one from a key that still exists, so that a key whose window ended is not
// recreated without an expiry.
var decrIfLive = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]))
if n and n > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0`)

// Decr takes one event back from key.
func (r RedisCounter) Decr(ctx context.Context, key string) error {
	return decrIfLive.Run(ctx, r.Client, []string{r.Prefix + key}).Err()
}

// Reset forgets key.
func (r RedisCounter) Reset(ctx context.Context, key string) error {
	return r.Client.Del(ctx, r.Prefix+key).Err()
}

// Count returns key's count (0 when its window has ended).
func (r RedisCounter) Count(ctx context.Context, key string) (int64, error) {
	n, err := r.Client.Get(ctx, r.Prefix+key).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}
