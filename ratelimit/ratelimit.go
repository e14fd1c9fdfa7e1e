// Package ratelimit holds tienda's rate-limiting mechanisms, not its policies. Shared keeps one
// token bucket per key in Redis (GCRA), for every serve process at once. Keyed keeps one
// token bucket (golang.org/x/time/rate) per key, such as a client IP or a user, in the memory of
// one process, for the mode without Redis; buckets idle long enough to be full again are forgotten, which changes nothing
// for their key: a new bucket starts full too. MemoryCounter and RedisCounter count attempts per
// key in fixed windows, in this process or shared through Redis; the login policy built on them
// stays in services. It knows nothing of HTTP.
package ratelimit

import (
	"context"
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MaxKeys bounds the number of buckets kept. When a sweep of idle buckets leaves more than this,
// every bucket is dropped: a flood of distinct keys (spoofed or many IPv6 addresses) must not
// exhaust memory, and it is better to forget budgets than to refuse everyone.
const MaxKeys = 100_000

// minIdle is the shortest time a bucket is kept after its last use.
const minIdle = time.Minute

// Keyed is a set of token buckets, one per key, all with the same rate and burst. It is safe for
// concurrent use.
type Keyed struct {
	limit rate.Limit
	burst int
	now   func() time.Time
	// idle is how long a bucket is kept after its last use: at least the time it takes to
	// refill from empty, so that forgetting it does not hand out extra tokens.
	idle time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns buckets that refill at perSecond tokens a second up to burst; now is the clock.
func New(perSecond float64, burst int, now func() time.Time) *Keyed {
	if now == nil {
		now = time.Now
	}
	idle := minIdle
	if perSecond > 0 {
		idle = max(idle, time.Duration(float64(burst)/perSecond*float64(time.Second)))
	}
	return &Keyed{
		limit:     rate.Limit(perSecond),
		burst:     burst,
		now:       now,
		idle:      idle,
		buckets:   map[string]*bucket{},
		lastSweep: now(),
	}
}

// Allow takes a token from key's bucket. When there is none, it reports false and how long until
// there will be one. The context is not used: the buckets are in this process.
func (k *Keyed) Allow(_ context.Context, key string) (ok bool, retryAfter time.Duration) {
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.lastSweep) >= k.idle || len(k.buckets) >= MaxKeys {
		k.sweep(now)
	}
	b := k.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() { // burst 0: never
		return false, k.idle
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Len returns the number of buckets kept.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// sweep forgets the buckets idle for k.idle or longer; k.mu is held.
func (k *Keyed) sweep(now time.Time) {
	k.lastSweep = now
	for key, b := range k.buckets {
		if now.Sub(b.seen) >= k.idle {
			delete(k.buckets, key)
		}
	}
	if len(k.buckets) >= MaxKeys {
		clear(k.buckets)
	}
}

// IPKey is the bucket key of a client address: the address itself for IPv4, its /64 network for
// IPv6, where one host commonly holds a whole /64 and could otherwise rotate addresses.
func IPKey(ip string) string {
	parsed := net.ParseIP(ip)
	if parsed == nil || parsed.To4() != nil {
		return ip
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
