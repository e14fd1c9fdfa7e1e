package repositories

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

// Counts returns the current count of each key and how long its window still runs.
func (r RedisCounter) Counts(ctx context.Context, keys []string) ([]int64, []time.Duration, error) {
	pipe := r.Client.Pipeline()
	gets := make([]*redis.StringCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		gets[i] = pipe.Get(ctx, r.Prefix+k)
		ttls[i] = pipe.PTTL(ctx, r.Prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("read counters: %w", err)
	}
	counts := make([]int64, len(keys))
	left := make([]time.Duration, len(keys))
	for i := range keys {
		n, err := gets[i].Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, nil, fmt.Errorf("read counter: %w", err)
		}
		counts[i], left[i] = n, max(ttls[i].Val(), 0)
	}
	return counts, left, nil
}

// Incr adds one to each key, starting its window on the first event.
func (r RedisCounter) Incr(ctx context.Context, keys []string) error {
	pipe := r.Client.TxPipeline()
	for _, k := range keys {
		pipe.Incr(ctx, r.Prefix+k)
		pipe.ExpireNX(ctx, r.Prefix+k, r.Window)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// Reset forgets key.
func (r RedisCounter) Reset(ctx context.Context, key string) error {
	return r.Client.Del(ctx, r.Prefix+key).Err()
}
