package dbtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvRedisAddr makes Redis available to tests.
const EnvRedisAddr = "TIENDA_TEST_REDIS_ADDR"

// Redis returns a client for the test Redis and a key prefix of the test's own; the keys under
// it are deleted in t.Cleanup. Without TIENDA_TEST_REDIS_ADDR the test is skipped; when Redis is
// configured but does not answer, the test fails under CI=true and is skipped otherwise.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	addr := os.Getenv(EnvRedisAddr)
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI runs the Redis tests", EnvRedisAddr)
		}
		t.Skipf("%s is not set", EnvRedisAddr)
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 0})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s does not answer: %v", addr, err)
		}
		t.Skipf("Redis at %s does not answer (skipped outside CI): %v", addr, err)
	}
	prefix := RandomName() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}
