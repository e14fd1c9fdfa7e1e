package services

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"

	"tienda/apperr"
)

// Counter counts events per key in fixed windows: the first event of a key starts its window,
// and the count resets when the window ends. repositories.RedisCounter shares counts between
// processes; MemoryCounter keeps them in this process.
type Counter interface {
	// Incr counts one event for each key and returns each key's new count and how long its
	// window still runs, atomically per key.
	Incr(ctx context.Context, keys []string) ([]int64, []time.Duration, error)
	// Decr takes one event back from key, if its window still runs.
	Decr(ctx context.Context, key string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
}

// LoginThrottle refuses logins for an email or a client IP that failed too often recently.
//
// Every attempt is counted before its password is checked, and a successful one is taken back
// afterwards. Counting first is what makes the limit hold under concurrency: with a check
// before and a count after, any number of simultaneous guesses would all pass the check.
type LoginThrottle struct {
	Counter Counter
	// Max failures per key within the window.
	Max int64
	Log *slog.Logger
}

func loginKeys(email, ip string) []string { return []string{"email:" + email, "ip:" + ip} }

// Attempt counts a login attempt and returns a 429 error with Retry-After when any key is past
// Max. When the counter cannot be reached (Redis down), it lets the login through and logs a
// warning: an outage of the throttle should not lock everyone out.
func (t LoginThrottle) Attempt(ctx context.Context, keys []string) error {
	counts, left, err := t.Counter.Incr(ctx, keys)
	if err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; allowing the attempt", "error", err)
		return nil
	}
	var wait time.Duration
	for i, n := range counts {
		if n > t.Max {
			wait = max(wait, left[i], time.Second)
		}
	}
	if wait == 0 {
		return nil
	}
	e := apperr.New(apperr.CodeRateLimited, "too many failed logins; try again later")
	e.RetryAfter = int(math.Ceil(wait.Seconds()))
	return e
}

// Succeeded takes a successful attempt back: the email's failures are forgotten, and the client
// IP's count loses this attempt (its earlier failures stay counted).
func (t LoginThrottle) Succeeded(ctx context.Context, keys []string) {
	if err := t.Counter.Reset(ctx, keys[0]); err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; failures not cleared", "error", err)
	}
	if err := t.Counter.Decr(ctx, keys[1]); err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; success not taken back", "error", err)
	}
}

// MemoryCounter is a Counter for a single process.
type MemoryCounter struct {
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	windows map[string]memoryWindow
}

type memoryWindow struct {
	n   int64
	end time.Time
}

// maxMemoryKeys bounds the memory a flood of distinct keys can take: beyond it, expired windows
// are swept on the next increment.
const maxMemoryKeys = 10_000

// NewMemoryCounter returns an in-process Counter with the given window and clock.
func NewMemoryCounter(window time.Duration, now func() time.Time) *MemoryCounter {
	return &MemoryCounter{window: window, now: now, windows: map[string]memoryWindow{}}
}

// Incr implements Counter.
func (m *MemoryCounter) Incr(_ context.Context, keys []string) ([]int64, []time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.windows) >= maxMemoryKeys {
		for k, w := range m.windows {
			if !now.Before(w.end) {
				delete(m.windows, k)
			}
		}
	}
	counts := make([]int64, len(keys))
	left := make([]time.Duration, len(keys))
	for i, k := range keys {
		w, ok := m.windows[k]
		if !ok || !now.Before(w.end) {
			w = memoryWindow{end: now.Add(m.window)}
		}
		w.n++
		m.windows[k] = w
		counts[i], left[i] = w.n, w.end.Sub(now)
	}
	return counts, left, nil
}

// Decr implements Counter.
func (m *MemoryCounter) Decr(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w, ok := m.windows[key]; ok && w.n > 0 && m.now().Before(w.end) {
		w.n--
		m.windows[key] = w
	}
	return nil
}

// Reset implements Counter.
func (m *MemoryCounter) Reset(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.windows, key)
	return nil
}
