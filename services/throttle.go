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
	// Counts returns each key's count and how long its window still runs.
	Counts(ctx context.Context, keys []string) ([]int64, []time.Duration, error)
	// Incr counts one event for each key.
	Incr(ctx context.Context, keys []string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
}

// LoginThrottle refuses logins for an email or a client IP that failed too often recently.
type LoginThrottle struct {
	Counter Counter
	// Max failures per key within the window.
	Max int64
	Log *slog.Logger
}

func loginKeys(email, ip string) []string { return []string{"email:" + email, "ip:" + ip} }

// Check returns a 429 error with Retry-After when any key has reached Max. When the counter
// cannot be read (Redis down), it lets the login through and logs a warning: an outage of the
// throttle should not lock everyone out.
func (t LoginThrottle) Check(ctx context.Context, keys []string) error {
	counts, left, err := t.Counter.Counts(ctx, keys)
	if err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; allowing the attempt", "error", err)
		return nil
	}
	var wait time.Duration
	for i, n := range counts {
		if n >= t.Max {
			wait = max(wait, left[i])
		}
	}
	if wait <= 0 {
		return nil
	}
	e := apperr.New(apperr.CodeRateLimited, "too many failed logins; try again later")
	e.RetryAfter = int(math.Ceil(wait.Seconds()))
	return e
}

// Failed counts a failed login.
func (t LoginThrottle) Failed(ctx context.Context, keys []string) {
	if err := t.Counter.Incr(ctx, keys); err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; failure not counted", "error", err)
	}
}

// Succeeded clears the email's failures; the client IP's stay counted.
func (t LoginThrottle) Succeeded(ctx context.Context, keys []string) {
	if err := t.Counter.Reset(ctx, keys[0]); err != nil {
		t.Log.WarnContext(ctx, "login throttle unavailable; failures not cleared", "error", err)
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

// Counts implements Counter.
func (m *MemoryCounter) Counts(_ context.Context, keys []string) ([]int64, []time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	counts := make([]int64, len(keys))
	left := make([]time.Duration, len(keys))
	for i, k := range keys {
		if w, ok := m.windows[k]; ok && now.Before(w.end) {
			counts[i], left[i] = w.n, w.end.Sub(now)
		}
	}
	return counts, left, nil
}

// Incr implements Counter.
func (m *MemoryCounter) Incr(_ context.Context, keys []string) error {
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
	for _, k := range keys {
		w, ok := m.windows[k]
		if !ok || !now.Before(w.end) {
			w = memoryWindow{end: now.Add(m.window)}
		}
		w.n++
		m.windows[k] = w
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
