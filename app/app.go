// Package app builds tienda's object graph from a Config, in one place, for the CLI commands and
// the end-to-end tests alike. Nothing else constructs services or reads the config.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"gorm.io/gorm"

	"tienda/config"
	"tienda/controllers"
	"tienda/database"
	"tienda/migrations"
	"tienda/repositories"
	"tienda/routes"
	"tienda/services"
)

// App is a running tienda: its configuration, database and HTTP handler.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *gorm.DB
	Handler http.Handler
}

// New opens the database and builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := database.Open(ctx, cfg.Database, log)
	if err != nil {
		return nil, err
	}
	return &App{
		Config:  cfg,
		Log:     log,
		DB:      db,
		Handler: Router(db, log),
	}, nil
}

// Router builds the services on db and the HTTP handler in front of them.
func Router(db *gorm.DB, log *slog.Logger) http.Handler {
	store := repositories.NewStore(db)
	products := services.NewProducts(store)
	return routes.New(routes.Deps{
		Log: log,
		Products: controllers.Products{
			Service:  products,
			Sortable: store.Products.Sortable,
		},
	})
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
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String())

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

// Close releases the database.
func (a *App) Close() error {
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
