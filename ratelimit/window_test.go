package ratelimit

import (
	"context"
	"testing"
	"time"
)

// TestMemoryCounterWindows: counts grow within a window, Decr and Reset take them back, and a
// key's count starts again when its window ends.
func TestMemoryCounterWindows(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	c := NewMemoryCounter(time.Minute, func() time.Time { return now })
	for want := int64(1); want <= 3; want++ {
		counts, left, _ := c.Incr(ctx, []string{"a", "b"})
		if counts[0] != want || counts[1] != want || left[0] != time.Minute {
			t.Fatalf("incr %d: counts %v left %v", want, counts, left)
		}
	}
	_ = c.Decr(ctx, "a")
	_ = c.Reset(ctx, "b")
	if n, _ := c.Count(ctx, "a"); n != 2 {
		t.Fatalf("a after Decr = %d, want 2", n)
	}
	if n, _ := c.Count(ctx, "b"); n != 0 {
		t.Fatalf("b after Reset = %d, want 0", n)
	}
	now = now.Add(time.Minute)
	if n, _ := c.Count(ctx, "a"); n != 0 {
		t.Fatalf("a after its window = %d, want 0", n)
	}
	if counts, _, _ := c.Incr(ctx, []string{"a"}); counts[0] != 1 {
		t.Fatalf("a in a new window = %d, want 1", counts[0])
	}
}
