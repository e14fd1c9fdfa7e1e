package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"tienda/controllers"
	"tienda/metrics"
	"tienda/middleware"
	"tienda/models"
	"tienda/ratelimit"
	"tienda/repositories"
	"tienda/routes"
)

// backlogTimeout bounds the outbox COUNT of one scrape, so that a slow database cannot hold
// Prometheus past its own scrape timeout.
const backlogTimeout = 2 * time.Second

// opsParts are the operations pieces Build hands to the router (docs/decisions/0010-observability.md).
type opsParts struct {
	metrics        *metrics.Metrics
	metricsHandler http.Handler // nil when metrics.addr serves them elsewhere
	health         controllers.Health
	limits         routes.Limits
}

// buildOps makes the process's metrics registry (no global one), the readiness probes and the
// request limits from the config.
func buildOps(d Deps) (opsParts, error) {
	cfg := d.Config
	sqlDB, err := d.DB.DB()
	if err != nil {
		return opsParts{}, fmt.Errorf("database handle: %w", err)
	}
	m := metrics.New()
	if err := m.RegisterDB("tienda", sqlDB); err != nil {
		return opsParts{}, fmt.Errorf("metrics: %w", err)
	}
	backlog := repositories.NewOutbox(d.DB).Backlog
	if err := m.RegisterOutboxBacklog(backlog, backlogTimeout, models.OutboxPending, models.OutboxSent); err != nil {
		return opsParts{}, fmt.Errorf("metrics: %w", err)
	}
	parts := opsParts{metrics: m}
	if cfg.Metrics.Addr == "" {
		parts.metricsHandler = metricsHandler(m, d.Log)
	}

	probes := []controllers.Probe{{Name: "database", Ping: sqlDB.PingContext}}
	if d.Redis != nil {
		rdb := d.Redis
		probes = append(probes, controllers.Probe{Name: "redis", Ping: func(ctx context.Context) error {
			return rdb.Ping(ctx).Err()
		}})
	}
	parts.health = controllers.Health{Probes: probes, Log: d.Log}

	parts.limits = routes.Limits{
		MaxBodyBytes:   cfg.HTTP.MaxBodyBytes,
		RequestTimeout: cfg.HTTP.RequestTimeout,
		CORSOrigins:    cfg.HTTP.CORSOrigins,
	}
	if rl := cfg.RateLimit; rl.Enabled {
		limiter := limiterMaker(d, m)
		parts.limits.PerIP = limiter("ip", rl.IPRate, rl.IPBurst)
		parts.limits.PerUser = limiter("user", rl.UserRate, rl.UserBurst)
		// Reset requests and confirmations from one address: 10 at once, one more every 6 minutes.
		parts.limits.PasswordResets = limiter("password-reset", 10.0/3600, 10)
		if rl.RegisterPerHour > 0 {
			parts.limits.Registrations = limiter("register", float64(rl.RegisterPerHour)/3600, rl.RegisterPerHour)
		}
	}
	return parts, nil
}

// limiterMaker returns the maker of the request limits: with Redis, buckets every serve process
// shares (failing open, logged once per outage and counted in
// tienda_ratelimit_redis_failures_total); without, buckets in this process.
func limiterMaker(d Deps, m *metrics.Metrics) func(name string, perSecond float64, burst int) middleware.Limiter {
	if d.Redis == nil {
		return func(_ string, perSecond float64, burst int) middleware.Limiter {
			return ratelimit.New(perSecond, burst, d.Now)
		}
	}
	outage := &ratelimit.Outage{Log: d.Log, Count: m.RateLimitUnchecked}
	return func(name string, perSecond float64, burst int) middleware.Limiter {
		return ratelimit.NewShared(d.Redis, d.Config.Redis.KeyPrefix+"ratelimit:"+name+":", perSecond, burst, outage)
	}
}

func metricsHandler(m *metrics.Metrics, log *slog.Logger) http.Handler {
	return m.Handler(slog.NewLogLogger(log.Handler(), slog.LevelWarn))
}

// serveMetrics serves /metrics on metrics.addr, when it is set, until stop is called. The
// listener is opened before it returns, so that a bad address fails serve at start.
func (a *App) serveMetrics(ctx context.Context) (stop func(), err error) {
	addr := a.Config.Metrics.Addr
	if addr == "" {
		return func() {}, nil
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+routes.MetricsPath, metricsHandler(a.Metrics, a.Log))
	h := a.Config.HTTP
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("metrics server", "error", err)
		}
	}()
	a.Log.Info("serving metrics", "addr", ln.Addr().String())
	return func() {
		// Scrapes are short; nothing is lost by closing at once after the API has drained.
		_ = srv.Close()
		<-done
	}, nil
}
