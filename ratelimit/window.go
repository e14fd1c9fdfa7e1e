package ratelimit

import (
	"context"
	"sync"
	"time"
)

// MemoryCounter counts events per key in fixed windows in this process (see RedisCounter for
// counts shared between processes): the first event of a key starts its window, and the count
// resets when the window ends. It satisfies services.Counter.
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

// Incr implements services.Counter.
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

// Decr implements services.Counter.
func (m *MemoryCounter) Decr(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w, ok := m.windows[key]; ok && w.n > 0 && m.now().Before(w.end) {
		w.n--
		m.windows[key] = w
	}
	return nil
}

// Count implements services.Counter.
func (m *MemoryCounter) Count(_ context.Context, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w, ok := m.windows[key]; ok && m.now().Before(w.end) {
		return w.n, nil
	}
	return 0, nil
}

// Reset implements services.Counter.
func (m *MemoryCounter) Reset(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.windows, key)
	return nil
}
