// Package database opens tienda's SQL database (SQLite, MySQL/MariaDB or SQL Server) as a
// configured *gorm.DB, and holds the dialect-specific helpers (migration lock, retryable errors)
// that the rest of the code must not spell out itself.
package database

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"tienda/config"
)

// sqliteTimeFormat stores times as fixed-width UTC text ("2006-01-02T15:04:05.000000Z"), so
// that ordering by a time column as text is ordering by time.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Open connects to the configured database and checks that it answers.
func Open(ctx context.Context, cfg config.Database, log *slog.Logger) (*gorm.DB, error) {
	dialector, err := Dialector(cfg.Driver, cfg.DSN)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dialector, GormConfig(log, cfg.SlowThreshold))
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", cfg.Driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	sqlDB.SetConnMaxIdleTime(cfg.ConnMaxIdleTime)

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", cfg.Driver, err)
	}
	return db, nil
}

// GormConfig is the GORM configuration shared by every engine: translated errors (duplicate
// keys arrive as gorm.ErrDuplicatedKey everywhere), UTC microsecond timestamps, and a logger
// that reports slow queries without their parameters.
func GormConfig(log *slog.Logger, slow time.Duration) *gorm.Config {
	return &gorm.Config{
		TranslateError: true,
		NowFunc:        Now,
		Logger:         newQueryLogger(log, slow),
	}
}

// Now is the timestamp GORM writes: UTC, truncated to the microsecond that every engine keeps
// (the migrations declare time columns with precision 6), so that a value read back equals the
// value written. The soft-delete marker is taken from it too, so two deletes of rows sharing an
// email or SKU only collide if they happen within the same microsecond.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// WithClock returns db stamping rows (created_at, updated_at, the soft-delete marker) from now
// instead of the wall clock, in the same UTC microseconds as Now, so that every timestamp the
// application writes comes from the one injected clock.
func WithClock(db *gorm.DB, now func() time.Time) *gorm.DB {
	return db.Session(&gorm.Session{NowFunc: func() time.Time { return now().UTC().Truncate(time.Microsecond) }})
}

// Dialector returns the GORM dialector for driver with its DSN completed by the settings tienda
// relies on.
func Dialector(driver, dsn string) (gorm.Dialector, error) {
	switch driver {
	case config.DriverSQLite:
		return gormlite.Open(SQLiteDSN(dsn)), nil
	case config.DriverMySQL:
		full, err := MySQLDSN(dsn)
		if err != nil {
			return nil, err
		}
		// MariaDB >= 10.5 makes GORM insert with RETURNING, which answers with a result set
		// (column definitions, rows, EOF) where a plain INSERT's OK packet carries the
		// auto-increment id that is all tienda reads back; MySQL has no RETURNING, so this also
		// makes both behave the same.
		return mysql.New(mysql.Config{DSN: full, DisableWithReturning: true}), nil
	case config.DriverSQLServer:
		return sqlserver.Open(dsn), nil
	}
	return nil, fmt.Errorf("unknown database driver %q", driver)
}

// SQLiteDSN turns a file name or file: URI into one with WAL, a busy timeout, foreign keys,
// immediate write transactions (without which read-then-write transactions fail with "database
// is locked" under concurrency) and sortable UTC timestamps. Settings already given are kept.
func SQLiteDSN(dsn string) string {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		q = url.Values{}
	}
	pragmas := strings.Join(q["_pragma"], ",")
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(wal)", "synchronous(normal)"} {
		name, _, _ := strings.Cut(p, "(")
		if !strings.Contains(pragmas, name) {
			q.Add("_pragma", p)
		}
	}
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	if q.Get("_timefmt") == "" {
		q.Set("_timefmt", sqliteTimeFormat)
	}
	return "file:" + path + "?" + q.Encode()
}

// MySQLDSN completes a go-sql-driver DSN: utf8mb4, parseTime, UTC, a dial timeout,
// clientFoundRows, so that an UPDATE reports the rows it matched (as SQLite and SQL Server do)
// rather than only those whose values changed, and interpolateParams unless the DSN says
// otherwise.
//
// Without interpolateParams the driver runs every query that has arguments as a server-side
// prepare, execute and close: three packets and two round trips where one does. The load
// benchmark (docs/benchmarks.md) measured it as the largest single cost of tienda's hot paths.
// Interpolation is safe here because the connection charset is utf8mb4 (the driver refuses it
// for the multibyte charsets where escaping is ambiguous) and it follows the server's
// NO_BACKSLASH_ESCAPES mode.
func MySQLDSN(dsn string) (string, error) {
	c, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("database.dsn: %w", err)
	}
	if !strings.Contains(dsn, "interpolateParams=") {
		c.InterpolateParams = true
	}
	c.ClientFoundRows = true
	c.ParseTime = true
	c.Loc = time.UTC
	c.Collation = "utf8mb4_unicode_ci"
	delete(c.Params, "charset")
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	return c.FormatDSN(), nil
}

// queryLogger reports slow queries through slog. Queries are logged with placeholders, never
// with their parameters, which may hold password hashes or personal data. Failed queries are
// logged at debug level only: the caller decides whether an error is expected (a duplicate
// key) or worth an error line with the request ID.
type queryLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newQueryLogger(log *slog.Logger, slow time.Duration) logger.Interface {
	return queryLogger{log: log, slow: slow}
}

func (l queryLogger) LogMode(logger.LogLevel) logger.Interface { return l }

func (l queryLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}

func (l queryLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}

func (l queryLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

func (l queryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case l.slow > 0 && elapsed > l.slow:
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow query", "duration_ms", elapsed.Milliseconds(), "rows", rows, "sql", sql)
	case err != nil && l.log.Enabled(ctx, slog.LevelDebug):
		sql, _ := fc()
		l.log.DebugContext(ctx, "query failed", "error", err, "sql", sql)
	}
}

// ParamsFilter drops query parameters from everything the logger sees.
func (queryLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// RouteDriverLogs sends the MySQL driver's own log lines ("unexpected EOF" when a connection
// dies, and the like) to log at warning level instead of straight to stderr. The driver keeps
// its logger in a package variable, so this affects the whole process: call it once, at
// start-up.
func RouteDriverLogs(log *slog.Logger) {
	_ = mysqldriver.SetLogger(driverLogger{log}) // fails only for a nil logger
}

type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprint(v...)), "component", "mysql-driver")
}
