// Package app builds tienda's object graph from a Config, in one place, for the CLI commands and
// the end-to-end tests alike. Nothing else constructs services or reads the config.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"tienda/auth"
	"tienda/config"
	"tienda/console"
	"tienda/controllers"
	"tienda/database"
	"tienda/mail"
	"tienda/metrics"
	"tienda/middleware"
	"tienda/migrations"
	"tienda/ratelimit"
	"tienda/repositories"
	"tienda/routes"
	"tienda/services"
	"tienda/tasks"
)

// App is a running tienda: its configuration, connections, services and HTTP handler.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *gorm.DB
	Redis   *redis.Client // nil without redis.addr
	Handler http.Handler
	Users   *services.Users
	Orders  *services.Orders
	// Queue runs tasks (on Redis, or in this process); Relay feeds it from the outbox.
	Queue *tasks.Queue
	Relay *tasks.Relay
	Tasks *tasks.Handlers
	// Products is the catalogue service (used by `tienda seed`).
	Products *services.Products
	// Reports starts and keeps the sales reports (housekeeping purges the expired ones).
	Reports *services.Reports
	// Resets handles password resets (housekeeping purges their expired tokens).
	Resets *services.PasswordResets
	// Metrics is the process's Prometheus registry and series; background tasks report to it.
	Metrics *metrics.Metrics
}

// Deps are the outside things the graph is built on; tests supply their own.
type Deps struct {
	Config config.Config
	Log    *slog.Logger
	DB     *gorm.DB
	Redis  *redis.Client
	Now    func() time.Time
}

// New opens the database (and Redis, when configured) and builds the graph.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := database.Open(ctx, cfg.Database, log)
	if err != nil {
		return nil, err
	}
	var rdb *redis.Client
	if cfg.Redis.Addr != "" {
		rdb = redis.NewClient(&redis.Options{Addr: cfg.Redis.Addr, Password: cfg.Redis.Password, DB: cfg.Redis.DB})
	}
	a, err := Build(Deps{Config: cfg, Log: log, DB: db, Redis: rdb, Now: time.Now})
	if err != nil {
		return nil, errors.Join(err, closeAll(db, rdb))
	}
	return a, nil
}

// Build wires services, controllers and the router on deps.
func Build(d Deps) (*App, error) {
	cfg := d.Config
	d.Log = WithRequestIDs(d.Log)
	ops, err := buildOps(d)
	if err != nil {
		return nil, err
	}
	store := repositories.NewStore(database.WithClock(d.DB, d.Now))
	passwords, err := services.NewPasswords(cfg.Auth.BcryptCost)
	if err != nil {
		return nil, err
	}
	var failures, known services.Counter = ratelimit.NewMemoryCounter(cfg.Auth.LoginWindow, d.Now),
		ratelimit.NewMemoryCounter(cfg.Auth.LoginKnownAddressFor, d.Now)
	if d.Redis != nil {
		failures = ratelimit.RedisCounter{Client: d.Redis, Prefix: cfg.Redis.KeyPrefix + "login-failures:", Window: cfg.Auth.LoginWindow}
		known = ratelimit.RedisCounter{Client: d.Redis, Prefix: cfg.Redis.KeyPrefix + "login-known:", Window: cfg.Auth.LoginKnownAddressFor}
	}
	users := services.NewUsers(store, passwords, services.LoginThrottle{
		Counter: failures, Known: known, Log: d.Log, Max: int64(cfg.Auth.LoginMaxFailures),
		IPMax: int64(cfg.Auth.LoginIPMaxFailures), AccountMax: int64(cfg.Auth.LoginAccountMaxFailures),
	})
	var resetCounter services.Counter = ratelimit.NewMemoryCounter(time.Hour, d.Now)
	if d.Redis != nil {
		resetCounter = ratelimit.RedisCounter{Client: d.Redis, Prefix: cfg.Redis.KeyPrefix + "password-resets:", Window: time.Hour}
	}
	resets := services.NewPasswordResets(users, resetCounter, int64(cfg.Auth.PasswordResetsPerHour), d.Now, d.Log)
	products := services.NewProducts(store)
	orders := services.NewOrders(store, services.OrdersConfig{
		Now: d.Now, KeyTTL: cfg.Orders.IdempotencyTTL, LowStock: cfg.Tasks.LowStockThreshold,
	})
	tokenCfg := auth.Config{
		Secret:     []byte(cfg.JWT.Secret),
		TTL:        cfg.JWT.TTL,
		MaxRefresh: cfg.JWT.MaxRefresh,
		Now:        d.Now,
	}
	tokens := auth.New(tokenCfg, users)
	jwt, err := middleware.NewJWT(tokenCfg, users)
	if err != nil {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	handlers, err := tasks.NewHandlers(tasks.Handlers{
		Store: store, Mail: mail.NewMailer(cfg.Mail, d.Log), Now: d.Now, Log: d.Log,
		Lease:     mail.SendLease(cfg.Mail),
		ReportTTL: cfg.Tasks.ResultTTL, ReportURL: routes.ReportPath,
		ResetTTL: cfg.Auth.PasswordResetTTL, ResetURL: cfg.Auth.PasswordResetURL,
	})
	if err != nil {
		return nil, err
	}
	queue, err := tasks.NewQueue(cfg, handlers, ops.metrics, d.Log)
	if err != nil {
		return nil, err
	}
	relay := &tasks.Relay{
		Outbox: store.Outbox, Publisher: queue, Now: d.Now, Log: d.Log,
		Interval: cfg.Tasks.RelayInterval, RedeliverAfter: cfg.Tasks.RedeliverAfter,
		MaxAttempts: int64(cfg.Tasks.MaxAttempts), Batch: 100,
	}
	auditLog := services.NewAudit(store)
	reports := services.NewReports(store, d.Now)
	statuses := tasks.Statuses{Queue: queue, Outbox: store.Outbox, Reports: store.Reports}
	admin, err := console.New(console.Config{
		Secret: consoleKey(cfg.JWT.Secret), Secure: cfg.App.Env != config.EnvDevelopment, Now: d.Now, Log: d.Log,
	}, console.Deps{
		Accounts:  users,
		Dashboard: services.NewDashboard(store, d.Now, cfg.Tasks.LowStockThreshold),
		Catalogue: consoleCatalogue{products},
		Orders:    orders,
		People:    consoleUsers{users},
		Audit:     auditLog,
		Jobs:      services.NewJobs(store, d.Now),
		Reports:   consoleReports{reports: reports, statuses: statuses},
	})
	if err != nil {
		return nil, err
	}
	router, err := routes.New(routes.Deps{
		Log:            d.Log,
		Auth:           jwt,
		TrustedProxies: cfg.HTTP.TrustedProxies,
		Accounts:       controllers.Auth{Accounts: users, Tokens: tokens, Resets: resets},
		Users:          controllers.Users{Service: users},
		Products:       controllers.Products{Service: products},
		Orders:         controllers.Orders{Service: orders},
		Tasks:          controllers.Tasks{Reports: reports, Statuses: statuses},
		Audit:          controllers.Audit{Service: auditLog},
		Health:         ops.health,
		Metrics:        ops.metricsHandler,
		Observer:       ops.metrics,
		Limits:         ops.limits,
		Console:        admin,
	})
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return &App{
		Config: cfg, Log: d.Log, DB: d.DB, Redis: d.Redis, Handler: router, Users: users, Orders: orders,
		Products: products, Reports: reports, Resets: resets, Metrics: ops.metrics, Queue: queue, Relay: relay, Tasks: handlers,
	}, nil
}

// consoleKey derives the console's session key from the JWT secret, so that a console cookie is
// never a valid token signature and one secret still configures both.
func consoleKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("tienda console session v1"))
	return m.Sum(nil)
}

// Migrations returns the migration runner for the app's database.
func (a *App) Migrations() *migrations.Runner {
	return migrations.NewRunner(a.DB, migrations.All())
}

// ErrPendingMigrations means serve found migrations to apply and was not allowed to apply them.
var ErrPendingMigrations = errors.New("pending migrations")

// PrepareSchema makes sure the schema is current before serving: it applies pending migrations
// when database.auto_migrate is set, and refuses otherwise.
func (a *App) PrepareSchema(ctx context.Context) error {
	st, err := a.Migrations().Status(ctx)
	if err != nil {
		return err
	}
	if len(st.Unknown) > 0 {
		a.Log.Warn("the database has migrations this binary does not know; is a newer version deployed?",
			"unknown", st.Unknown)
	}
	if len(st.Pending) == 0 {
		return nil
	}
	if !a.Config.Database.AutoMigrate {
		return fmt.Errorf("%w: %s; run `tienda migrate up` first (or set database.auto_migrate=true)",
			ErrPendingMigrations, strings.Join(st.Pending, ", "))
	}
	a.Log.Info("applying migrations", "pending", st.Pending)
	return a.Migrations().Up(ctx)
}

// Serve answers HTTP on ln until ctx is cancelled, then stops accepting connections, lets
// in-flight requests finish within http.shutdown_timeout, and returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	h := a.Config.HTTP
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		ReadTimeout:       h.ReadTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	stopMetrics, err := a.serveMetrics(ctx)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopMetrics()
	if h := a.Config.Debug.PprofAddr; h != "" {
		pprofCtx, stopPprof := context.WithCancel(ctx)
		wait, err := servePprof(pprofCtx, h, a.Log)
		if err != nil {
			stopPprof()
			_ = ln.Close()
			return err
		}
		defer wait()
		defer stopPprof()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String())
	var background sync.WaitGroup
	defer background.Wait()
	background.Go(func() { a.Background(ctx) })

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", h.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Background runs what a serve process does besides answering HTTP, until ctx ends: the outbox
// relay, the housekeeping, and, without Redis, the task worker itself.
func (a *App) Background(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { a.Relay.Run(ctx) })
	wg.Go(func() { a.maintain(ctx, time.Hour) })
	if a.Queue.InProcess() {
		wg.Go(func() {
			if err := a.Queue.Work(ctx, a.Config.Tasks.Concurrency, a.Config.Tasks.ShutdownGrace); err != nil {
				a.Log.Error("in-process task worker", "error", err)
			}
		})
	}
	wg.Wait()
}

// ErrNoBroker means `worker` was started without Redis: tasks then run inside serve.
var ErrNoBroker = errors.New("the worker needs redis.addr (without Redis, serve runs the tasks itself)")

// Work runs a worker process until ctx ends: the task consumers on Redis and an outbox relay.
func (a *App) Work(ctx context.Context, concurrency int) error {
	if a.Queue.InProcess() {
		return ErrNoBroker
	}
	// A worker has no API listener: with metrics.addr it serves /metrics there (task counters,
	// the outbox backlog, pool and runtime series).
	stopMetrics, err := a.serveMetrics(ctx)
	if err != nil {
		return err
	}
	defer stopMetrics()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { a.Relay.Run(ctx) })
	return a.Queue.Work(ctx, concurrency, a.Config.Tasks.ShutdownGrace)
}

// maintain does the periodic housekeeping of a serve process until ctx ends: expired
// idempotency keys and stored reports are deleted every interval. Several processes doing it at once is harmless.
func (a *App) maintain(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.purge(ctx, "idempotency keys", func(ctx context.Context) (int64, error) {
				return a.Orders.PurgeExpiredKeys(ctx, services.System("maintenance"))
			})
			a.purge(ctx, "reports", a.Reports.PurgeExpired)
			a.purge(ctx, "password reset tokens", a.Resets.Purge)
		}
	}
}

// purge runs one housekeeping deletion and logs what it did.
func (a *App) purge(ctx context.Context, what string, fn func(context.Context) (int64, error)) {
	n, err := fn(ctx)
	if err != nil && ctx.Err() == nil {
		a.Log.Warn("purge expired "+what, "error", err)
	} else if n > 0 {
		a.Log.Info("purged expired "+what, "count", n)
	}
}

// Close releases the database and Redis connections.
func (a *App) Close() error {
	return closeAll(a.DB, a.Redis)
}

func closeAll(db *gorm.DB, rdb *redis.Client) error {
	var errs []error
	if sqlDB, err := db.DB(); err == nil {
		errs = append(errs, sqlDB.Close())
	}
	if rdb != nil {
		errs = append(errs, rdb.Close())
	}
	return errors.Join(errs...)
}
