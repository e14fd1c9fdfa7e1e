// Package apptest builds the whole application on a fresh test database and drives it through
// its real router with httptest, for the integration tests of every package.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"tienda/app"
	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/migrations"
	"tienda/services"
)

// Secret signs the test tokens.
const Secret = "test-secret-test-secret-test-secret!"

// Env is one application on one fresh database.
type Env struct {
	T      testing.TB
	Engine string
	DB     *gorm.DB
	// DBConfig reaches the same database, e.g. from a child process.
	DBConfig config.Database
	App      *app.App
	Clock    *Clock

	seq atomic.Int64
}

// Option changes the configuration or dependencies of an Env before it is built.
type Option func(*app.Deps)

// WithRedis makes the app use Redis under its own key prefix: login throttling is shared
// through it, and tasks are queued on it (a worker must consume them).
func WithRedis(rdb *redis.Client, prefix string) Option {
	return func(d *app.Deps) {
		d.Redis = rdb
		d.Config.Redis.Addr = rdb.Options().Addr
		d.Config.Redis.DB = rdb.Options().DB
		d.Config.Redis.KeyPrefix = prefix
	}
}

// WithConfig edits the configuration.
func WithConfig(edit func(*config.Config)) Option {
	return func(d *app.Deps) { edit(&d.Config) }
}

// WithLog makes the app log to log (by default it logs nowhere).
func WithLog(log *slog.Logger) Option {
	return func(d *app.Deps) { d.Log = log }
}

// Config is the configuration test apps start from: fast bcrypt, a fixed secret.
func Config() config.Config {
	return config.Config{
		App: config.App{Env: config.EnvTest},
		HTTP: config.HTTP{
			Addr: "127.0.0.1:0", ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute, ShutdownTimeout: 5 * time.Second,
			MaxBodyBytes: 1 << 20, RequestTimeout: 10 * time.Second,
		},
		// RateLimit stays off: tests send many requests from one address.
		JWT: config.JWT{Secret: Secret, TTL: 15 * time.Minute, MaxRefresh: 24 * time.Hour},
		Auth: config.Auth{BcryptCost: 4, LoginMaxFailures: 10, LoginWindow: 15 * time.Minute,
			LoginIPMaxFailures: 50, LoginAccountMaxFailures: 100, LoginKnownAddressFor: 720 * time.Hour,
			PasswordResetTTL: 30 * time.Minute, PasswordResetsPerHour: 3},
		Orders: config.Orders{IdempotencyTTL: 24 * time.Hour},
		Tasks: config.Tasks{
			Queue: "tasks", Concurrency: 4, ResultTTL: time.Hour, RelayInterval: 50 * time.Millisecond,
			RedeliverAfter: time.Minute, MaxAttempts: 10, ShutdownGrace: 5 * time.Second,
			LowStockThreshold: 5,
		},
		Mail:  config.Mail{SMTPPort: 25, From: "tienda <shop@example.com>", Timeout: 5 * time.Second},
		Redis: config.Redis{KeyPrefix: "tienda-test:"},
		Log:   config.Log{Level: "error"},
	}
}

// Each runs fn once per available database engine, each with its own fresh application.
func Each(t *testing.T, fn func(t *testing.T, e *Env), opts ...Option) {
	t.Helper()
	for _, engine := range dbtest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			fn(t, New(t, engine, opts...))
		})
	}
}

// New builds the application on a fresh database of engine.
func New(t testing.TB, engine dbtest.Engine, opts ...Option) *Env {
	t.Helper()
	dbCfg := engine.Empty(t)
	db := dbtest.Open(t, dbCfg)
	if err := migrations.NewRunner(db, migrations.All()).Up(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	clock := NewClock()
	deps := app.Deps{Config: Config(), Log: dbtest.Logger(), DB: db, Now: clock.Now}
	deps.Config.Database.Driver = engine.Name
	for _, o := range opts {
		o(&deps)
	}
	a, err := app.Build(deps)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	return &Env{T: t, Engine: engine.Name, DB: db, DBConfig: dbCfg, App: a, Clock: clock}
}

// Background runs the app's background work (outbox relay, in-process worker) until the test
// ends.
func (e *Env) Background() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.App.Background(ctx)
	}()
	e.T.Cleanup(func() {
		cancel()
		<-done
	})
}

// Serve runs the app's real HTTP server (app.Serve, with its background work) on a loopback
// port until the test ends, and returns its base URL.
func (e *Env) Serve() string {
	e.T.Helper()
	ln, err := (&net.ListenConfig{}).Listen(e.T.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.App.Serve(ctx, ln) }()
	e.T.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.T.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// Response is a recorded answer.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test when it is not JSON of that shape.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d response %q: %v", r.Code, r.Body, err)
	}
}

// ErrorCode returns the error envelope's code, or "" when the body is not an envelope.
func (r Response) ErrorCode() string {
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &env)
	return env.Error.Code
}

func (r Response) String() string { return fmt.Sprintf("%d %s", r.Code, r.Body) }

// Request is what Do sends; Body is marshalled to JSON unless it is a string or []byte, which
// are sent as they are.
type Request struct {
	Method  string
	Path    string // under /api/v1 unless it starts with "//" (then it is taken from the root)
	Body    any
	Token   string
	Headers map[string]string
}

// Do sends req through the router.
func (e *Env) Do(req Request) Response {
	e.T.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	path := "/api/v1" + req.Path
	if strings.HasPrefix(req.Path, "//") {
		path = req.Path[1:]
	}
	r := httptest.NewRequestWithContext(e.T.Context(), req.Method, path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(w, r)
	return Response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// Get fetches path.
func (e *Env) Get(path, token string) Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post sends body to path.
func (e *Env) Post(path, token string, body any) Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Put sends body to path.
func (e *Env) Put(path, token string, body any) Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Patch sends body to path.
func (e *Env) Patch(path, token string, body any) Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}

// Delete deletes path.
func (e *Env) Delete(path, token string) Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodDelete, Path: path, Token: token})
}

// Expect fails the test unless r has status code; it returns r for chaining.
func Expect(t testing.TB, r Response, code int, what string) Response {
	t.Helper()
	if r.Code != code {
		t.Fatalf("%s: got %s, want %d", what, r, code)
	}
	return r
}

// Password is the password of every account the helpers create.
const Password = "correct horse battery"

// User is an account created by a helper, with a token.
type User struct {
	ID    uint
	Email string
	Token string
}

// Admin creates an active admin and logs in.
func (e *Env) Admin() User {
	e.T.Helper()
	email := fmt.Sprintf("admin%d@example.com", e.seq.Add(1))
	if _, err := e.App.Users.EnsureAdmin(e.T.Context(), services.System("test"), email, Password, "Admin"); err != nil {
		e.T.Fatalf("create admin: %v", err)
	}
	return e.Login(email)
}

// Customer registers a customer through the API and logs in.
func (e *Env) Customer() User {
	e.T.Helper()
	email := fmt.Sprintf("customer%d@example.com", e.seq.Add(1))
	Expect(e.T, e.Post("/auth/register", "", map[string]string{
		"email": email, "password": Password, "full_name": "Customer",
	}), http.StatusCreated, "register "+email)
	return e.Login(email)
}

// Login logs the account with email in (with Password) and returns it with a fresh token.
func (e *Env) Login(email string) User {
	e.T.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	Expect(e.T, e.Post("/auth/login", "", map[string]string{"email": email, "password": Password}),
		http.StatusOK, "login "+email).Decode(e.T, &tok)
	var me struct {
		ID uint `json:"id"`
	}
	Expect(e.T, e.Get("/users/me", tok.AccessToken), http.StatusOK, "me").Decode(e.T, &me)
	return User{ID: me.ID, Email: email, Token: tok.AccessToken}
}

// Clock is a settable clock for the app; it follows real time plus an offset, so that tokens
// stay valid for the JWT library, which reads the real clock.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock at the real time.
func NewClock() *Clock { return &Clock{} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
