package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"tienda/ratelimit"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestBurstThenRefill(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	k := ratelimit.New(2, 3, c.Now) // 2/s, burst 3
	for i := range 3 {
		if ok, _ := k.Allow(context.Background(), "a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := k.Allow(context.Background(), "a")
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v wait=%s; want refused with a wait of at most 500ms (2/s)", ok, wait)
	}
	if ok, _ := k.Allow(context.Background(), "b"); !ok {
		t.Error("another key shares the first key's bucket")
	}
	c.Advance(wait)
	if ok, _ := k.Allow(context.Background(), "a"); !ok {
		t.Error("refused after waiting the announced time")
	}
	if ok, _ := k.Allow(context.Background(), "a"); ok {
		t.Error("a refused request must not have taken a token, and the refill gave one only")
	}
}

func TestIdleBucketsAreForgotten(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	k := ratelimit.New(1, 5, c.Now)
	for i := range 50 {
		k.Allow(context.Background(), fmt.Sprintf("ip%d", i))
	}
	if k.Len() != 50 {
		t.Fatalf("Len = %d, want 50", k.Len())
	}
	c.Advance(30 * time.Second)
	k.Allow(context.Background(), "recent")
	c.Advance(40 * time.Second) // 70s after the 50, 40s after "recent"; idle is 1m
	k.Allow(context.Background(), "recent")
	if k.Len() != 1 {
		t.Errorf("Len = %d after the sweep, want 1 (only the bucket used within a minute)", k.Len())
	}
}

func TestIPKey(t *testing.T) {
	cases := map[string]string{
		"203.0.113.7":              "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":     "2001:db8:1:2::/64",
		"::ffff:203.0.113.7":       "::ffff:203.0.113.7",
		"not an ip, kept as it is": "not an ip, kept as it is",
	}
	for in, want := range cases {
		if got := ratelimit.IPKey(in); got != want {
			t.Errorf("IPKey(%q) = %q, want %q", in, got, want)
		}
	}
}
