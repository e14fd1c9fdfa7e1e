package ratelimit_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"tienda/apptest/dbtest"
	"tienda/ratelimit"
)

// logCount is a slog handler that counts records by level.
type logCount struct {
	mu     sync.Mutex
	levels map[slog.Level]int
	msgs   []string
}

func (l *logCount) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCount) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.levels[r.Level]++
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *logCount) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCount) WithGroup(string) slog.Handler      { return l }

// processes returns two limiters on separate Redis clients, as two serve processes have.
func processes(t *testing.T, perSecond float64, burst int) (*ratelimit.Shared, *ratelimit.Shared) {
	t.Helper()
	rdb, prefix := dbtest.Redis(t)
	other := redis.NewClient(rdb.Options())
	t.Cleanup(func() { _ = other.Close() })
	outage := &ratelimit.Outage{Log: slog.New(slog.DiscardHandler)}
	return ratelimit.NewShared(rdb, prefix, perSecond, burst, outage), ratelimit.NewShared(other, prefix, perSecond, burst, outage)
}

// TestSharedAcrossProcesses: a client alternating between two processes gets the burst once in
// all, not once per process, and a refusal says how long to wait.
func TestSharedAcrossProcesses(t *testing.T) {
	a, b := processes(t, 0.05, 5) // one token every 20s
	ctx := t.Context()
	allowed := 0
	for i := range 12 {
		l := a
		if i%2 == 1 {
			l = b
		}
		ok, wait := l.Allow(ctx, "ip:203.0.113.7")
		if ok {
			allowed++
		} else if wait <= 0 || wait > 20*time.Second {
			t.Errorf("request %d refused with a wait of %s, want (0, 20s]", i+1, wait)
		}
	}
	if allowed != 5 {
		t.Errorf("%d of 12 alternating requests allowed, want the burst of 5 in all", allowed)
	}
	if ok, _ := b.Allow(ctx, "ip:203.0.113.8"); !ok {
		t.Error("another key shares the first key's budget")
	}
}

// TestSharedRace: concurrent requests through two processes never get more than the burst.
func TestSharedRace(t *testing.T) {
	a, b := processes(t, 0.01, 10)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 60 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Go(func() {
			if ok, _ := l.Allow(t.Context(), "user:1"); ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 10 {
		t.Errorf("%d of 60 concurrent requests allowed, want exactly the burst of 10", n)
	}
}

// TestSharedFailsOpen: with Redis unreachable every request goes through, each is counted, and
// the outage is logged once, not per request; its end is logged once too.
func TestSharedFailsOpen(t *testing.T) {
	logs := &logCount{levels: map[slog.Level]int{}}
	var counted atomic.Int64
	outage := &ratelimit.Outage{Log: slog.New(logs), Count: func() { counted.Add(1) }}
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	l := ratelimit.NewShared(down, "t:", 0.01, 1, outage)
	for i := range 5 {
		if ok, _ := l.Allow(t.Context(), "ip:203.0.113.7"); !ok {
			t.Fatalf("request %d refused while Redis is down; the limiter must fail open", i+1)
		}
	}
	if counted.Load() != 5 || logs.levels[slog.LevelWarn] != 1 {
		t.Fatalf("counted %d, %d warnings (%v); want 5 counted and 1 warning", counted.Load(), logs.levels[slog.LevelWarn], logs.msgs)
	}
	rdb, prefix := dbtest.Redis(t)
	up := ratelimit.NewShared(rdb, prefix, 0.01, 1, outage)
	up.Allow(t.Context(), "ip:203.0.113.7")
	up.Allow(t.Context(), "ip:203.0.113.7")
	if logs.levels[slog.LevelInfo] != 1 || !strings.Contains(strings.Join(logs.msgs, "|"), "again") {
		t.Errorf("recovery logged %d times (%v), want once", logs.levels[slog.LevelInfo], logs.msgs)
	}
}
