package faults

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/mail/mailtest"
	"tienda/models"
)

// sample is one reading of the process during the soak.
type sample struct {
	at         time.Duration
	heapInuse  uint64 // bytes, after a forced GC: what stays live
	goroutines int
	requests   int64
	backlog    int64 // outbox jobs not done yet: whether the worker keeps up
}

// soakDuration is SOAK_DURATION, 3 minutes when unset.
func soakDuration(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("SOAK_DURATION")
	if v == "" {
		return 3 * time.Minute
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 10*time.Second {
		t.Fatalf("SOAK_DURATION=%q: want a duration of at least 10s", v)
	}
	return d
}

// TestSoak runs a bounded mixed load (product reads, orders, cancels, logins, admin edits) from
// eight clients against the real HTTP server on MariaDB, with a Redis of its own and a worker
// sending the emails, for SOAK_DURATION (3m by default). Every few seconds it forces a GC and
// samples the heap in use and the goroutine count of this process (server, worker and load
// generator together). It fails when any request fails, when the last third's peak heap or
// goroutine count is above the first third's by more than 30% plus a little slack, or when the
// emails sent do not match the orders placed and cancelled. It runs only with SOAK=1 (make soak).
func TestSoak(t *testing.T) {
	if os.Getenv("SOAK") != "1" {
		t.Skip("the soak test runs with SOAK=1 (make soak); SOAK_DURATION sets its length")
	}
	var engine *dbtest.Engine
	for _, e := range dbtest.Engines() {
		if e.Name == config.DriverMySQL {
			engine = &e
		}
	}
	if engine == nil {
		t.Fatalf("the soak runs on MariaDB: set %s (make soak does when MariaDB answers)", dbtest.EnvMySQLDSN)
	}
	duration := soakDuration(t)
	warmup := min(10*time.Second, duration/10)
	every := min(5*time.Second, max(time.Second, duration/36))

	rs := startRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: rs.addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	srv := mailtest.Start(t)
	e := apptest.New(t, *engine, apptest.WithRedis(rdb, "soak:"), apptest.WithSMTP(srv.Host, srv.Port), apptest.WithConfig(func(c *config.Config) {
		c.Tasks.LowStockThreshold = 0 // emails are counted: one per order and per cancel
	}))
	admin := e.Admin()
	customers := make([]apptest.User, 16)
	for i := range customers {
		customers[i] = e.Customer()
	}
	ids := make([]uint, 40)
	for i := range ids {
		ids[i] = apptest.CreateProduct(t, e, admin, fmt.Sprintf("SOAK-%02d", i), fmt.Sprintf("Soak product %d", i), int64(100+i), 1_000_000)
	}
	base := e.Serve()
	workN(t, e, 8)
	c := newClient(base, 15*time.Second)
	defer c.close()

	var (
		mu        sync.Mutex
		errs      []string
		errCount  int
		requests  int64
		placed    int
		cancelled int
		ops       = map[string]int{}
	)
	record := func(op string, ok bool, detail string) {
		mu.Lock()
		defer mu.Unlock()
		requests++
		ops[op]++
		if !ok {
			errCount++
			if len(errs) < 20 {
				errs = append(errs, op+": "+detail)
			}
		}
	}
	expect := func(op string, want, code int, body []byte, err error) bool {
		ok := err == nil && code == want
		detail := fmt.Sprintf("%d %.200s", code, body)
		if err != nil {
			detail = err.Error()
		}
		record(op, ok, detail)
		return ok
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			me := customers[w%len(customers)]
			var mine []uint // this client's orders that may still be cancelled
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch r := rng.IntN(100); {
				case r < 30:
					q := fmt.Sprintf("/products?page=%d&page_size=20&sort=%s", 1+rng.IntN(2), []string{"id", "-price_cents", "name"}[rng.IntN(3)])
					if rng.IntN(3) == 0 {
						q += "&q=Soak+product+1"
					}
					code, body, err := c.do(http.MethodGet, q, "", nil)
					expect("list products", http.StatusOK, code, body, err)
				case r < 45:
					code, body, err := c.do(http.MethodGet, fmt.Sprintf("/products/%d", ids[rng.IntN(len(ids))]), me.Token, nil)
					expect("get product", http.StatusOK, code, body, err)
				case r < 65:
					code, body, err := c.do(http.MethodPost, "/orders", me.Token, map[string]any{"items": randomLines(rng, ids)})
					if expect("place order", http.StatusCreated, code, body, err) {
						var o struct {
							ID uint `json:"id"`
						}
						_ = json.Unmarshal(body, &o)
						mine = append(mine, o.ID)
						mu.Lock()
						placed++
						mu.Unlock()
					}
				case r < 75:
					code, body, err := c.do(http.MethodGet, "/orders?page_size=10&sort=-id", me.Token, nil)
					expect("list orders", http.StatusOK, code, body, err)
				case r < 80 && len(mine) > 0:
					code, body, err := c.do(http.MethodGet, fmt.Sprintf("/orders/%d", mine[len(mine)-1]), me.Token, nil)
					expect("get order", http.StatusOK, code, body, err)
				case r < 85 && len(mine) > 0:
					id := mine[0]
					mine = mine[1:]
					code, body, err := c.do(http.MethodPost, fmt.Sprintf("/orders/%d/cancel", id), me.Token, nil)
					if expect("cancel order", http.StatusOK, code, body, err) {
						mu.Lock()
						cancelled++
						mu.Unlock()
					}
				case r < 90:
					code, body, err := c.do(http.MethodPost, "/auth/login", "", map[string]string{"email": me.Email, "password": apptest.Password})
					if expect("login", http.StatusOK, code, body, err) {
						var tok struct {
							AccessToken string `json:"access_token"`
						}
						_ = json.Unmarshal(body, &tok)
						me.Token = tok.AccessToken
					}
				case r < 95:
					code, body, err := c.do(http.MethodGet, "/users/me", me.Token, nil)
					expect("me", http.StatusOK, code, body, err)
				default:
					if rng.IntN(2) == 0 {
						code, body, err := c.do(http.MethodPatch, fmt.Sprintf("/products/%d", ids[rng.IntN(len(ids))]), admin.Token,
							map[string]any{"price_cents": 100 + rng.IntN(900)})
						expect("admin edit product", http.StatusOK, code, body, err)
					} else {
						code, body, err := c.do(http.MethodGet, "/users?page_size=50", admin.Token, nil)
						expect("admin list users", http.StatusOK, code, body, err)
					}
				}
			}
		})
	}
	var stopOnce sync.Once
	stopLoad := func() { stopOnce.Do(func() { close(stop); wg.Wait() }) }
	t.Cleanup(stopLoad)

	start := time.Now()
	time.Sleep(warmup)
	var samples []sample
	for at := time.Duration(0); at <= duration-warmup; at += every {
		time.Sleep(time.Until(start.Add(warmup + at)))
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		n := requests
		mu.Unlock()
		var backlog int64
		e.DB.Model(&models.OutboxMessage{}).Where("state <> ?", models.OutboxDone).Count(&backlog)
		samples = append(samples, sample{at: time.Since(start), heapInuse: ms.HeapInuse, goroutines: runtime.NumGoroutine(), requests: n, backlog: backlog})
		srv.Forget() // the test's own copy of the emails must not look like a leak
	}
	stopLoad()
	elapsed := time.Since(start)

	var table strings.Builder
	fmt.Fprintf(&table, "%8s %12s %11s %9s %14s\n", "t", "heap_inuse", "goroutines", "requests", "outbox_backlog")
	for _, s := range samples {
		fmt.Fprintf(&table, "%8s %10.1fMB %11d %9d %14d\n", s.at.Round(time.Second), float64(s.heapInuse)/(1<<20), s.goroutines, s.requests, s.backlog)
	}
	t.Logf("soak: %s, %d requests (%.0f/s), %d orders placed, %d cancelled, %d errors; per operation %v\n%s",
		elapsed.Round(time.Second), requests, float64(requests)/elapsed.Seconds(), placed, cancelled, errCount, ops, table.String())

	if errCount > 0 {
		t.Errorf("%d requests failed; first ones:\n%s", errCount, strings.Join(errs, "\n"))
	}
	third := len(samples) / 3
	if third == 0 {
		t.Fatalf("%d samples: too few to compare thirds", len(samples))
	}
	first, last := samples[:third], samples[len(samples)-third:]
	peak := func(ss []sample, f func(sample) float64) float64 {
		m := 0.0
		for _, s := range ss {
			m = max(m, f(s))
		}
		return m
	}
	heap := func(s sample) float64 { return float64(s.heapInuse) / (1 << 20) }
	gor := func(s sample) float64 { return float64(s.goroutines) }
	if a, b := peak(first, heap), peak(last, heap); b > a*1.3+4 {
		t.Errorf("heap in use grows: peak %.1fMB in the last third, %.1fMB in the first (allowed %.1fMB)", b, a, a*1.3+4)
	}
	if a, b := peak(first, gor), peak(last, gor); b > a*1.3+10 {
		t.Errorf("goroutines grow: peak %.0f in the last third, %.0f in the first (allowed %.0f)", b, a, a*1.3+10)
	}

	// The worker may fall behind the orders (the outbox_backlog column says by how much); the
	// wait grows with the soak.
	drained := time.Now()
	waitDrained(t, e, max(2*time.Minute, duration/2))
	t.Logf("outbox drained %s after the load stopped", time.Since(drained).Round(time.Second))
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive now
	if got, want := srv.Received(), placed+cancelled; got != want {
		t.Errorf("%d emails sent; want %d (one per order placed and per order cancelled)", got, want)
	}
}
