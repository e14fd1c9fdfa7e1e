package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"tienda/app"
	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/controllers"
	"tienda/metrics"
	"tienda/middleware"
	"tienda/migrations"
	"tienda/routes"
)

// readyz fetches /readyz and returns the answer.
func readyz(e *apptest.Env) apptest.Response {
	e.T.Helper()
	return e.Get("//readyz", "")
}

// TestReadinessFollowsTheDatabasePool holds the only connection of the pool, so that the
// readiness ping cannot get one within its timeout, then gives it back. It runs on every
// engine; for SQLite, an embedded file with no network to cut, it is the closest thing to the
// database not answering (TestReadinessFollowsTheDatabaseServer cuts MariaDB off for real).
func TestReadinessFollowsTheDatabasePool(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		apptest.Expect(t, readyz(e), http.StatusOK, "ready with a free connection")
		sqlDB, err := e.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(1)
		conn, err := sqlDB.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r := apptest.Expect(t, readyz(e), http.StatusServiceUnavailable, "ready with no connection to be had")
		if r.ErrorCode() != "unavailable" || !strings.Contains(string(r.Body), `"field":"database"`) {
			t.Errorf("body %s: want the unavailable envelope naming the database", r.Body)
		}
		if took := time.Since(start); took > controllers.DefaultProbeTimeout+time.Second {
			t.Errorf("the failed readiness check took %s; the probe timeout is %s", took, controllers.DefaultProbeTimeout)
		}
		if err := conn.Close(); err != nil {
			t.Fatal(err)
		}
		apptest.Expect(t, readyz(e), http.StatusOK, "ready once the connection is back")
		apptest.Expect(t, e.Get("//healthz", ""), http.StatusOK, "alive throughout")
	})
}

// TestReadinessFollowsTheDatabaseServer puts a TCP proxy between the app and MariaDB, closes
// it (listener and open connections) and opens it again on the same port.
func TestReadinessFollowsTheDatabaseServer(t *testing.T) {
	engine := engineNamed(t, config.DriverMySQL)
	cfg := engine.Empty(t)
	if err := migrations.NewRunner(dbtest.Open(t, cfg), migrations.All()).Up(t.Context()); err != nil {
		t.Fatal(err)
	}
	dsn, err := mysqldriver.ParseDSN(cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, dsn.Addr)
	dsn.Addr = proxy.Addr()
	cfg.DSN = dsn.FormatDSN()
	db := dbtest.Open(t, cfg)
	a, err := app.Build(app.Deps{Config: apptest.Config(), Log: dbtest.Logger(), DB: db, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		a.Handler.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil))
		return w
	}
	if w := get("/readyz"); w.Code != http.StatusOK {
		t.Fatalf("through the open proxy: %d %s, want 200", w.Code, w.Body)
	}
	if w := get("/api/v1/products"); w.Code != http.StatusOK {
		t.Fatalf("list products through the proxy: %d %s", w.Code, w.Body)
	}

	proxy.Down()
	w := get("/readyz")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"code":"unavailable"`) ||
		!strings.Contains(w.Body.String(), "database") {
		t.Fatalf("database cut off: %d %s, want 503 unavailable naming the database", w.Code, w.Body)
	}
	if w := get("/healthz"); w.Code != http.StatusOK {
		t.Errorf("liveness while the database is down: %d, want 200 (the process still runs)", w.Code)
	}
	if w := get("/metrics"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "tienda_http_requests_total") ||
		strings.Contains(w.Body.String(), "tienda_outbox_backlog{") {
		t.Errorf("metrics while the database is down: %d; want 200 without the backlog, whose query failed", w.Code)
	}

	proxy.Up()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w := get("/readyz")
		if w.Code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("database back: still %d %s after 10s", w.Code, w.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReadinessNamesRedis(t *testing.T) {
	engine := engineNamed(t, config.DriverSQLite)
	t.Run("down", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1})
		t.Cleanup(func() { _ = rdb.Close() })
		e := apptest.New(t, engine, apptest.WithRedis(rdb, "ready-test:"))
		r := apptest.Expect(t, readyz(e), http.StatusServiceUnavailable, "redis down")
		if !strings.Contains(string(r.Body), `"field":"redis"`) || strings.Contains(string(r.Body), `"field":"database"`) {
			t.Errorf("body %s: want redis named, and the database not", r.Body)
		}
	})
	t.Run("up", func(t *testing.T) {
		rdb, prefix := dbtest.Redis(t)
		e := apptest.New(t, engine, apptest.WithRedis(rdb, prefix))
		apptest.Expect(t, readyz(e), http.StatusOK, "redis up")
	})
}

func TestMetricsByRouteTemplate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		var p struct {
			ID uint `json:"id"`
		}
		apptest.Expect(t, e.Post("/products", admin.Token, map[string]any{
			"sku": "MUG", "name": "Mug", "price_cents": 1200, "stock": 50, // far above the low-stock threshold: one outbox row
		}), http.StatusCreated, "create product").Decode(t, &p)
		apptest.Expect(t, e.Get(fmt.Sprintf("/products/%d", p.ID), ""), http.StatusOK, "get product")
		apptest.Expect(t, e.Get("/products/424242", ""), http.StatusNotFound, "get missing product")
		apptest.Expect(t, e.Post("/orders", cust.Token, map[string]any{"items": []map[string]any{{"product_id": p.ID, "quantity": 1}}}),
			http.StatusCreated, "order (leaves a pending outbox row)")
		apptest.Expect(t, e.Get("//no/such/path/123", ""), http.StatusNotFound, "unmatched")
		e.App.Metrics.TaskEvent("send_order_confirmation", metrics.TaskSent)
		e.App.Metrics.TaskEvent("send_order_confirmation", metrics.TaskRetried)

		r := apptest.Expect(t, e.Get("//metrics", ""), http.StatusOK, "scrape")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q, want the Prometheus text format", ct)
		}
		body := string(r.Body)
		for _, want := range []string{
			`tienda_http_requests_total{method="GET",route="/api/v1/products/:id",status="200"} 1`,
			`tienda_http_requests_total{method="GET",route="/api/v1/products/:id",status="404"} 1`,
			`tienda_http_requests_total{method="POST",route="/api/v1/orders",status="201"} 1`,
			`tienda_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`tienda_http_request_duration_seconds_bucket{method="GET",route="/api/v1/products/:id",status="200",le="+Inf"} 1`,
			`tienda_http_request_duration_seconds_count{method="POST",route="/api/v1/products",status="201"} 1`,
			"tienda_http_requests_in_flight 1", // the scrape itself
			`tienda_outbox_backlog{state="pending"} 1`,
			`tienda_outbox_backlog{state="sent"} 0`,
			`tienda_tasks_events_total{event="sent",task="send_order_confirmation"} 1`,
			`tienda_tasks_events_total{event="retried",task="send_order_confirmation"} 1`,
			`go_sql_max_open_connections{db_name="tienda"}`,
			"go_goroutines ",
			"process_cpu_seconds_total ",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the scrape has no line %q", want)
			}
		}
		if strings.Contains(body, "/api/v1/products/424242") || strings.Contains(body, "/no/such/path") {
			t.Error("a raw path became a label; routes must be templates")
		}
	})
}

// records returns the JSON log records written to b so far.
func records(t *testing.T, b *apptest.SyncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.Bytes()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	return out
}

func jsonLogger(level string, w io.Writer) *slog.Logger {
	return app.NewLogger(config.Config{Log: config.Log{Level: level, Format: "json"}}, w)
}

func TestRequestIDFlowsIntoEveryLogLine(t *testing.T) {
	logs := &apptest.SyncBuffer{}
	e := apptest.New(t, engineNamed(t, config.DriverSQLite), apptest.WithLog(jsonLogger("info", logs)))
	cust := e.Customer()
	panics(t, e, "/test/panic")

	send := func(path, id, token string) apptest.Response {
		return e.Do(apptest.Request{Method: http.MethodGet, Path: path, Token: token,
			Headers: map[string]string{middleware.RequestIDHeader: id}})
	}
	if r := send("/products/4242", "trace-404", ""); r.Header.Get(middleware.RequestIDHeader) != "trace-404" {
		t.Errorf("X-Request-ID echoed as %q, want trace-404", r.Header.Get(middleware.RequestIDHeader))
	}
	send("/users/me", "trace-me", cust.Token)
	send("//test/panic", "trace-panic", "")
	send("//healthz", "trace-health", "")

	byID := map[string][]map[string]any{}
	for _, rec := range records(t, logs) {
		id, _ := rec[app.RequestIDKey].(string)
		byID[id] = append(byID[id], rec)
	}
	access := func(id string) map[string]any {
		for _, rec := range byID[id] {
			if rec["msg"] == "request" {
				return rec
			}
		}
		t.Fatalf("no access line with request_id %s; lines: %v", id, byID[id])
		return nil
	}
	rec := access("trace-404")
	if rec["level"] != "INFO" || rec["method"] != "GET" || rec["route"] != "/api/v1/products/:id" ||
		rec["path"] != "/api/v1/products/4242" || rec["status"] != 404.0 || rec["bytes"].(float64) <= 0 || rec["latency_ms"] == nil {
		t.Errorf("access line %v: want INFO, GET, the route template, the path, 404, bytes and latency", rec)
	}
	if _, ok := rec["user_id"]; ok {
		t.Errorf("anonymous request logged with a user_id: %v", rec)
	}
	if rec := access("trace-me"); rec["user_id"] != float64(cust.ID) {
		t.Errorf("access line %v: want user_id %d", rec, cust.ID)
	}
	var panicLogged bool
	for _, rec := range byID["trace-panic"] {
		panicLogged = panicLogged || rec["msg"] == "panic serving request" && rec["level"] == "ERROR"
	}
	if !panicLogged || access("trace-panic")["status"] != 500.0 {
		t.Errorf("lines of the panicking request %v: want the panic's error line and a 500 access line, both with its ID", byID["trace-panic"])
	}
	if len(byID["trace-health"]) != 0 {
		t.Errorf("a successful health check was logged at info: %v", byID["trace-health"])
	}
	if len(byID[""]) != 0 {
		t.Errorf("lines without a request ID: %v", byID[""])
	}
}

func TestFailedReadinessIsLoggedWithTheRequestID(t *testing.T) {
	logs := &apptest.SyncBuffer{}
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	e := apptest.New(t, engineNamed(t, config.DriverSQLite), apptest.WithLog(jsonLogger("info", logs)), apptest.WithRedis(rdb, "x:"))
	e.Do(apptest.Request{Method: http.MethodGet, Path: "//readyz", Headers: map[string]string{middleware.RequestIDHeader: "probe-1"}})
	var warned, accessed bool
	for _, rec := range records(t, logs) {
		if rec[app.RequestIDKey] != "probe-1" {
			continue
		}
		warned = warned || rec["msg"] == "readiness check failed" && rec["dependency"] == "redis" && rec["level"] == "WARN"
		accessed = accessed || rec["msg"] == "request" && rec["status"] == 503.0
	}
	if !warned || !accessed {
		t.Errorf("want a warning naming redis and an info access line with status 503, both with request_id probe-1:\n%s", logs.String())
	}
}

func TestBodyOverTheCapIs413(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		big := `{"email":"a@example.com","password":"` + strings.Repeat("p", 2048) + `","full_name":"A"}`
		// Content-Length says it: refused before the body is read.
		r := apptest.Expect(t, e.Post("/auth/register", "", big), http.StatusRequestEntityTooLarge, "declared length over the cap")
		if r.ErrorCode() != "payload_too_large" || !strings.Contains(string(r.Body), "larger than 1024 bytes") {
			t.Errorf("body %s: want payload_too_large from the Content-Length check, naming the cap", r.Body)
		}
		// No length (chunked): refused when the JSON decoder reads past the cap.
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/api/v1/auth/register", io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), `"code":"payload_too_large"`) {
			t.Errorf("chunked body over the cap: %d %s, want 413 payload_too_large", w.Code, w.Body)
		}
		apptest.Expect(t, e.Post("/auth/register", "", map[string]string{
			"email": "small@example.com", "password": apptest.Password, "full_name": "Small",
		}), http.StatusCreated, "a body under the cap")
	}, apptest.WithConfig(func(c *config.Config) { c.HTTP.MaxBodyBytes = 1024 }))
}

func TestRequestDeadlineIs503(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		r := apptest.Expect(t, e.Get("/products", ""), http.StatusServiceUnavailable, "a request whose deadline passed before its query")
		if r.ErrorCode() != "unavailable" || r.Header.Get("Retry-After") == "" {
			t.Errorf("got %s with Retry-After %q; want unavailable and a Retry-After", r, r.Header.Get("Retry-After"))
		}
	}, apptest.WithConfig(func(c *config.Config) { c.HTTP.RequestTimeout = time.Nanosecond }))
}

func TestRateLimitPerIPAndPerUser(t *testing.T) {
	// One token every 20s: the test's own pace cannot refill a bucket by accident.
	const rate, perToken = 0.05, 20
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin() // login and /users/me: 2 tokens of the IP, 1 of the user
		retryAfter := func(r apptest.Response) int {
			t.Helper()
			n, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || n < 1 || n > perToken {
				t.Errorf("Retry-After %q, want whole seconds in 1..%d", r.Header.Get("Retry-After"), perToken)
			}
			return n
		}
		// The user's bucket (burst 4) runs out before the IP's (burst 8).
		for i := range 3 {
			apptest.Expect(t, e.Get("/users/me", admin.Token), http.StatusOK, fmt.Sprintf("user request %d", i+2))
		}
		r := apptest.Expect(t, e.Get("/users/me", admin.Token), http.StatusTooManyRequests, "the user's 5th request at once")
		if r.ErrorCode() != "rate_limited" {
			t.Errorf("got %s, want rate_limited", r)
		}
		retryAfter(r)
		// The same IP, anonymously, still has tokens (6 of 8 used); then it runs out too.
		apptest.Expect(t, e.Get("/products", ""), http.StatusOK, "anonymous request from the same IP")
		apptest.Expect(t, e.Get("/products", ""), http.StatusOK, "the IP's 8th request")
		r = apptest.Expect(t, e.Get("/products", ""), http.StatusTooManyRequests, "the IP's 9th request")
		wait := retryAfter(r)
		// Another client IP has its own bucket; operations routes are never limited.
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/api/v1/products", nil)
		req.RemoteAddr = "198.51.100.9:4242"
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Errorf("another client IP: %d, want 200", w.Code)
		}
		for range 5 {
			apptest.Expect(t, e.Get("//healthz", ""), http.StatusOK, "health checks are not rate limited")
		}
		// Retry-After is honest: once it has passed, a token is there.
		e.Clock.Advance(time.Duration(wait) * time.Second)
		apptest.Expect(t, e.Get("/products", ""), http.StatusOK, "after waiting Retry-After")
	}, apptest.WithConfig(func(c *config.Config) {
		c.RateLimit = config.RateLimit{Enabled: true, IPRate: rate, IPBurst: 8, UserRate: rate, UserBurst: 4}
	}))
}

func TestSecurityHeadersAndCORS(t *testing.T) {
	engine := engineNamed(t, config.DriverSQLite)
	t.Run("security headers everywhere", func(t *testing.T) {
		e := apptest.New(t, engine)
		for _, path := range []string{"/products", "/products/999", "//healthz", "//no/such", "//swagger/index.html"} {
			r := e.Get(path, "")
			for h, want := range map[string]string{
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
			} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s: %s = %q, want %q", path, h, got, want)
				}
			}
			wantCSP := middleware.APIContentSecurityPolicy
			if strings.HasPrefix(path, "//swagger") {
				wantCSP = routes.SwaggerContentSecurityPolicy
			}
			if got := r.Header.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("%s: Content-Security-Policy %q, want %q", path, got, wantCSP)
			}
			if r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s: CORS header sent while CORS is off", path)
			}
		}
		if r := e.Get("//swagger/index.html", ""); r.Code != http.StatusOK || !strings.Contains(string(r.Body), "swagger-ui") {
			t.Errorf("Swagger UI: %d", r.Code)
		}
	})
	t.Run("cors for listed origins", func(t *testing.T) {
		e := apptest.New(t, engine, apptest.WithConfig(func(c *config.Config) {
			c.HTTP.CORSOrigins = []string{"https://admin.example.com"}
		}))
		pre := e.Do(apptest.Request{Method: http.MethodOptions, Path: "/products", Headers: map[string]string{
			"Origin": "https://admin.example.com", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization, content-type",
		}})
		if pre.Code != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "https://admin.example.com" ||
			!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight: %d %v; want 204 allowing the origin, POST and Authorization", pre.Code, pre.Header)
		}
		r := e.Do(apptest.Request{Method: http.MethodGet, Path: "/products", Headers: map[string]string{"Origin": "https://admin.example.com"}})
		if r.Header.Get("Access-Control-Allow-Origin") != "https://admin.example.com" || !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "X-Request-ID") {
			t.Errorf("simple request: headers %v; want the origin allowed and X-Request-ID exposed", r.Header)
		}
		evil := e.Do(apptest.Request{Method: http.MethodOptions, Path: "/products", Headers: map[string]string{
			"Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST",
		}})
		if evil.Header.Get("Access-Control-Allow-Origin") != "" || evil.Code == http.StatusNoContent {
			t.Errorf("preflight from an unlisted origin: %d %v; want no CORS permission", evil.Code, evil.Header)
		}
	})
}

// engineNamed returns the engine of that name, skipping the test when this run does not offer it.
func engineNamed(t *testing.T, name string) dbtest.Engine {
	t.Helper()
	for _, e := range dbtest.Engines() {
		if e.Name == name {
			return e
		}
	}
	t.Skipf("engine %s is not configured for this run", name)
	return dbtest.Engine{}
}

// panics adds a test-only route that panics to the app's router.
func panics(t *testing.T, e *apptest.Env, path string) {
	t.Helper()
	engine, ok := e.App.Handler.(*gin.Engine)
	if !ok {
		t.Fatalf("the app's handler is a %T, not a *gin.Engine", e.App.Handler)
	}
	engine.GET(path, func(*gin.Context) { panic("boom") })
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// TestMadeUpMethodsAndPathsStayBounded sends what the outside probe sent: long made-up methods
// (405) and random paths (404). The metrics must not grow a series per method or path, the
// access log must not copy them whole, and these requests must spend the client's rate limit.
func TestMadeUpMethodsAndPathsStayBounded(t *testing.T) {
	const burst = 6
	var logs apptest.SyncBuffer
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		method := func(i int) string { return fmt.Sprintf("M%d%s", i, strings.Repeat("X", 4000)) }
		codes := map[int]int{}
		for i := range 2 * burst {
			r := e.Do(apptest.Request{Method: method(i), Path: "/products"})
			codes[r.Code]++
			if len(r.Body) > 1000 {
				t.Errorf("a %d answer of %d bytes echoes the made-up method", r.Code, len(r.Body))
			}
			r = e.Do(apptest.Request{Method: http.MethodGet, Path: fmt.Sprintf("//no/such/%d/%s", i, strings.Repeat("p", 4000))})
			codes[r.Code]++
		}
		if codes[http.StatusTooManyRequests] != 4*burst-burst || codes[http.StatusMethodNotAllowed]+codes[http.StatusNotFound] != burst {
			t.Errorf("answers %v; want %d answered (405 or 404) and the other %d refused with 429 by the per-IP limit",
				codes, burst, 3*burst)
		}
		body := string(apptest.Expect(t, e.Get("//metrics", ""), http.StatusOK, "scrape").Body)
		if strings.Contains(body, "XXXX") || strings.Contains(body, "pppp") {
			t.Error("a made-up method or a raw path became a label")
		}
		for _, want := range []string{
			`tienda_http_requests_total{method="OTHER",route="unmatched",status="405"} `,
			`tienda_http_requests_total{method="OTHER",route="unmatched",status="429"} `,
			`tienda_http_requests_total{method="GET",route="unmatched",status="429"} `,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the scrape has no line %q", want)
			}
		}
		for _, rec := range records(t, &logs) {
			for _, key := range []string{"method", "path", "msg"} {
				if s, _ := rec[key].(string); len(s) > 300 {
					t.Errorf("a log line copies %d bytes of the request into %q", len(s), key)
				}
			}
		}
	}, apptest.WithLog(jsonLogger("info", &logs)), apptest.WithConfig(func(c *config.Config) {
		c.RateLimit = config.RateLimit{Enabled: true, IPRate: 0.01, IPBurst: burst, UserRate: 0.01, UserBurst: burst}
	}))
}

// TestRegistrationThrottledPerIP (issue #16, item 9): 60 registrations in a row from one
// address were all 201. One address now gets ratelimit.register_per_hour of them at once, then
// 429 with Retry-After; other addresses and other routes keep their own budgets.
func TestRegistrationThrottledPerIP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		register := func(i int, remote string) apptest.Response {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/api/v1/auth/register",
				strings.NewReader(fmt.Sprintf(`{"email":"r%d@example.com","password":"a long password","full_name":"R"}`, i)))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = remote
			w := httptest.NewRecorder()
			e.App.Handler.ServeHTTP(w, req)
			return apptest.Response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
		}
		for i := range 3 {
			apptest.Expect(t, register(i, "198.51.100.1:1000"), http.StatusCreated, fmt.Sprintf("registration %d", i+1))
		}
		r := apptest.Expect(t, register(3, "198.51.100.1:1000"), http.StatusTooManyRequests, "the 4th registration from one address")
		if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 1200 {
			t.Errorf("Retry-After %q, want the seconds until the next registration (at most 20 minutes)", r.Header.Get("Retry-After"))
		}
		apptest.Expect(t, register(4, "198.51.100.2:1000"), http.StatusCreated, "a registration from another address")
		e.Clock.Advance(20 * time.Minute)
		apptest.Expect(t, register(5, "198.51.100.1:1000"), http.StatusCreated, "a registration 20 minutes later")
	}, apptest.WithConfig(func(c *config.Config) {
		c.RateLimit = config.RateLimit{Enabled: true, IPRate: 100, IPBurst: 100, UserRate: 100, UserBurst: 100, RegisterPerHour: 3}
	}))
}

// TestRateLimitSharedBetweenProcesses (issue #15 point 1): two apps on one Redis, as two serve
// processes, hold one budget per client IP between them, unmatched routes and 405s included; the
// registration limit is shared too.
func TestRateLimitSharedBetweenProcesses(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	engine := engineNamed(t, config.DriverSQLite)
	limits := apptest.WithConfig(func(c *config.Config) {
		c.RateLimit = config.RateLimit{Enabled: true, IPRate: 0.05, IPBurst: 6, UserRate: 0.05, UserBurst: 6, RegisterPerHour: 1}
	})
	a := apptest.New(t, engine, apptest.WithRedis(rdb, prefix), limits)
	b := apptest.New(t, engine, apptest.WithRedis(rdb, prefix), limits)
	paths := []string{"/products", "//no/such/route", "/products"}
	allowed := 0
	for i := range 12 {
		e := a
		if i%2 == 1 {
			e = b
		}
		req := apptest.Request{Method: http.MethodGet, Path: paths[i%3]}
		if i == 5 {
			req = apptest.Request{Method: http.MethodDelete, Path: "/products"} // 405
		}
		r := e.Do(req)
		if i < 6 && r.Code == http.StatusTooManyRequests {
			t.Errorf("request %d (%s %s) refused within the burst", i+1, req.Method, req.Path)
		}
		if r.Code != http.StatusTooManyRequests {
			allowed++
		} else if r.Header.Get("Retry-After") == "" {
			t.Errorf("request %d: 429 without Retry-After", i+1)
		}
	}
	if allowed != 6 {
		t.Errorf("%d of 12 requests alternating between two processes answered, want the burst of 6 in all", allowed)
	}
	register := func(e *apptest.Env, i int) int {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/api/v1/auth/register",
			strings.NewReader(fmt.Sprintf(`{"email":"shared%d@example.com","password":"a long password","full_name":"R"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "198.51.100.77:1000"
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, req)
		return w.Code
	}
	if first, second := register(a, 1), register(b, 2); first != http.StatusCreated || second != http.StatusTooManyRequests {
		t.Errorf("registrations through two processes: %d then %d, want 201 then 429 (1 an hour in all)", first, second)
	}
}

// TestRateLimitFailsOpenWithoutRedis: with the shared limits' Redis unreachable, requests past
// the burst still get through, the outage is logged once, and each unchecked request counts in
// tienda_ratelimit_redis_failures_total.
func TestRateLimitFailsOpenWithoutRedis(t *testing.T) {
	logs := &apptest.SyncBuffer{}
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	e := apptest.New(t, engineNamed(t, config.DriverSQLite), apptest.WithRedis(down, "down:"), apptest.WithLog(jsonLogger("warn", logs)),
		apptest.WithConfig(func(c *config.Config) {
			c.RateLimit = config.RateLimit{Enabled: true, IPRate: 0.01, IPBurst: 2, UserRate: 0.01, UserBurst: 2}
		}))
	for i := range 5 {
		apptest.Expect(t, e.Get("/products", ""), http.StatusOK, fmt.Sprintf("request %d with Redis down", i+1))
	}
	scrape := apptest.Expect(t, e.Get("//metrics", ""), http.StatusOK, "metrics")
	if !strings.Contains(string(scrape.Body), "tienda_ratelimit_redis_failures_total 5\n") {
		t.Errorf("the scrape does not count 5 unchecked requests:\n%s", grepLines(string(scrape.Body), "ratelimit"))
	}
	n := 0
	for _, rec := range records(t, logs) {
		if strings.HasPrefix(fmt.Sprint(rec["msg"]), "rate limiter cannot reach Redis") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, logs.String())
	}
}

func grepLines(s, word string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, word) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
