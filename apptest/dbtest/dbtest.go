// Package dbtest hands each test its own fresh database on every engine the environment offers:
// SQLite always; MySQL/MariaDB when TIENDA_TEST_MYSQL_DSN is set; SQL Server when
// TIENDA_TEST_SQLSERVER_DSN is set. Each database is created with a random name and dropped in
// t.Cleanup. With CI=true a configured engine that does not answer fails the test; otherwise
// that engine is skipped with a note.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"tienda/config"
	"tienda/database"
	"tienda/migrations"
)

// Environment variables that make an engine available.
const (
	EnvMySQLDSN     = "TIENDA_TEST_MYSQL_DSN"
	EnvSQLServerDSN = "TIENDA_TEST_SQLSERVER_DSN"
)

// Engine is a database engine tests can run on.
type Engine struct {
	// Name is the driver name: sqlite, mysql or sqlserver.
	Name string
	// serverDSN is the DSN of the server (any database part is replaced), empty for sqlite.
	serverDSN string
}

// Engines lists the engines this run offers, SQLite first.
func Engines() []Engine {
	engines := []Engine{{Name: config.DriverSQLite}}
	if dsn := os.Getenv(EnvMySQLDSN); dsn != "" {
		engines = append(engines, Engine{Name: config.DriverMySQL, serverDSN: dsn})
	}
	if dsn := os.Getenv(EnvSQLServerDSN); dsn != "" {
		engines = append(engines, Engine{Name: config.DriverSQLServer, serverDSN: dsn})
	}
	return engines
}

// Each runs fn as one subtest per engine, each with its own fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, e.Migrated(t))
		})
	}
}

// EachEmpty runs fn as one subtest per engine with the config of a fresh, empty database.
func EachEmpty(t *testing.T, fn func(t *testing.T, cfg config.Database)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, e.Empty(t))
		})
	}
}

// Migrated opens a fresh database on e with every migration applied.
func (e Engine) Migrated(t testing.TB) *gorm.DB {
	t.Helper()
	db := Open(t, e.Empty(t))
	if err := migrations.NewRunner(db, migrations.All()).Up(context.Background()); err != nil {
		t.Fatalf("migrate %s test database: %v", e.Name, err)
	}
	return db
}

// Open connects to cfg and closes the connection in t.Cleanup.
func Open(t testing.TB, cfg config.Database) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), cfg, Logger())
	if err != nil {
		t.Fatalf("open %s test database: %v", cfg.Driver, err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

// Logger is a logger for code under test that should stay quiet.
func Logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Empty creates a fresh, empty database on e, dropped in t.Cleanup, and returns its config.
func (e Engine) Empty(t testing.TB) config.Database {
	t.Helper()
	cfg := config.Database{
		Driver:          e.Name,
		MaxOpenConns:    16,
		MaxIdleConns:    16,
		ConnMaxLifetime: time.Hour,
		ConnMaxIdleTime: time.Hour,
	}
	switch e.Name {
	case config.DriverSQLite:
		cfg.DSN = filepath.Join(t.TempDir(), "tienda.db")
		return cfg
	case config.DriverMySQL:
		cfg.DSN = e.createMySQL(t)
	case config.DriverSQLServer:
		cfg.DSN = e.createSQLServer(t)
	}
	return cfg
}

func (e Engine) createMySQL(t testing.TB) string {
	t.Helper()
	server, err := mysqldriver.ParseDSN(e.serverDSN)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQLDSN, err)
	}
	server.DBName = ""
	admin := e.admin(t, "mysql", server.FormatDSN())
	name := RandomName()
	e.exec(t, admin, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	t.Cleanup(func() { e.exec(t, admin, "DROP DATABASE IF EXISTS `"+name+"`") })
	server.DBName = name
	return server.FormatDSN()
}

func (e Engine) createSQLServer(t testing.TB) string {
	t.Helper()
	u, err := url.Parse(e.serverDSN)
	if err != nil {
		t.Fatalf("%s: %v", EnvSQLServerDSN, err)
	}
	admin := e.admin(t, "sqlserver", e.serverDSN)
	name := RandomName()
	e.exec(t, admin, "CREATE DATABASE ["+name+"]")
	e.exec(t, admin, "ALTER DATABASE ["+name+"] SET READ_COMMITTED_SNAPSHOT ON")
	t.Cleanup(func() {
		e.exec(t, admin, "ALTER DATABASE ["+name+"] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ["+name+"]")
	})
	q := u.Query()
	q.Set("database", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// admin connects to the server itself; it fails the test in CI and skips it elsewhere when the
// server does not answer.
func (e Engine) admin(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if db != nil {
			_ = db.Close()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is configured but does not answer: %v", e.Name, err)
		}
		t.Skipf("%s is configured but does not answer (skipped outside CI): %v", e.Name, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func (e Engine) exec(t testing.TB, db *sql.DB, stmt string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%s: %s: %v", e.Name, stmt, err)
	}
}

// RandomName returns a database name unique to this test.
func RandomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("tienda_test_%s", hex.EncodeToString(b))
}
