// Package config loads tienda's configuration once, from defaults, config.yaml, .env, the
// environment and command-line flags (in rising precedence), into a typed, validated Config.
// It must not keep any state of its own: callers pass the Config down explicitly.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Config is the whole effective configuration of one tienda process.
type Config struct {
	App      App      `mapstructure:"app"`
	HTTP     HTTP     `mapstructure:"http"`
	Database Database `mapstructure:"database"`
	JWT      JWT      `mapstructure:"jwt"`
	Auth     Auth     `mapstructure:"auth"`
	Orders   Orders   `mapstructure:"orders"`
	Redis    Redis    `mapstructure:"redis"`
	Log      Log      `mapstructure:"log"`
	Debug    Debug    `mapstructure:"debug"`
}

// App holds process-wide settings.
type App struct {
	// Env is development, test or production; production enables strict checks and release mode.
	Env string `mapstructure:"env"`
}

// Production reports whether the process runs in production mode.
func (a App) Production() bool { return a.Env == EnvProduction }

// HTTP configures the API listener.
type HTTP struct {
	Addr              string        `mapstructure:"addr"`
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	ReadTimeout       time.Duration `mapstructure:"read_timeout"`
	WriteTimeout      time.Duration `mapstructure:"write_timeout"`
	IdleTimeout       time.Duration `mapstructure:"idle_timeout"`
	ShutdownTimeout   time.Duration `mapstructure:"shutdown_timeout"`
	// TrustedProxies are the proxies whose X-Forwarded-For names the client; none by default,
	// so that a client cannot choose the IP that rate limits and login throttling count.
	TrustedProxies []string `mapstructure:"trusted_proxies"`
}

// Database configures the SQL database and its connection pool.
type Database struct {
	Driver          string        `mapstructure:"driver"`
	DSN             string        `mapstructure:"dsn"`
	AutoMigrate     bool          `mapstructure:"auto_migrate"`
	MaxOpenConns    int           `mapstructure:"max_open_conns"`
	MaxIdleConns    int           `mapstructure:"max_idle_conns"`
	ConnMaxLifetime time.Duration `mapstructure:"conn_max_lifetime"`
	ConnMaxIdleTime time.Duration `mapstructure:"conn_max_idle_time"`
	SlowThreshold   time.Duration `mapstructure:"slow_threshold"`
}

// JWT configures token signing.
type JWT struct {
	Secret     string        `mapstructure:"secret"`
	TTL        time.Duration `mapstructure:"ttl"`
	MaxRefresh time.Duration `mapstructure:"max_refresh"`
}

// Auth configures passwords and login throttling.
type Auth struct {
	BcryptCost       int           `mapstructure:"bcrypt_cost"`
	LoginMaxFailures int           `mapstructure:"login_max_failures"`
	LoginWindow      time.Duration `mapstructure:"login_window"`
}

// Orders configures order placement.
type Orders struct {
	// IdempotencyTTL is how long an Idempotency-Key is remembered.
	IdempotencyTTL time.Duration `mapstructure:"idempotency_ttl"`
}

// Redis configures the Redis server used by workers and shared limits; empty Addr means none.
type Redis struct {
	Addr     string `mapstructure:"addr"`
	Password string `mapstructure:"password"`
	DB       int    `mapstructure:"db"`
	// KeyPrefix starts every key tienda writes, so that several deployments (or test runs) can
	// share one Redis.
	KeyPrefix string `mapstructure:"key_prefix"`
}

// Log configures the process logger.
type Log struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// Debug configures diagnostics that are off unless asked for.
type Debug struct {
	// PprofAddr is the address of a separate listener serving net/http/pprof; empty means none.
	// It must stay private (loopback or an internal network): profiles reveal the program's
	// internals and cost CPU to take.
	PprofAddr string `mapstructure:"pprof_addr"`
}

// Environment names accepted by app.env.
const (
	EnvDevelopment = "development"
	EnvTest        = "test"
	EnvProduction  = "production"
)

// Database drivers accepted by database.driver.
const (
	DriverSQLite    = "sqlite"
	DriverMySQL     = "mysql"
	DriverSQLServer = "sqlserver"
)

// MinSecretBytes is the shortest JWT secret accepted in production (HS256 wants 256 bits).
const MinSecretBytes = 32

// Key describes one configuration key: its viper name, default, and whether it is a secret.
type Key struct {
	Name    string
	Default any
	Secret  bool
	Help    string
}

// EnvName is the environment variable that sets the key, e.g. TIENDA_DATABASE_DSN.
func (k Key) EnvName() string { return envName(k.Name) }

// Keys lists every configuration key with its default, in documentation order.
func Keys() []Key {
	return []Key{
		{"app.env", EnvDevelopment, false, "development, test or production"},
		{"http.addr", ":8080", false, "listen address of the API"},
		{"http.read_header_timeout", 5 * time.Second, false, "max time to read request headers"},
		{"http.read_timeout", 15 * time.Second, false, "max time to read a whole request"},
		{"http.write_timeout", 30 * time.Second, false, "max time to write a response"},
		{"http.idle_timeout", 120 * time.Second, false, "keep-alive idle timeout"},
		{"http.shutdown_timeout", 20 * time.Second, false, "grace period for in-flight requests on SIGTERM"},
		{"http.trusted_proxies", []string{}, false, "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed"},
		{"database.driver", DriverSQLite, false, "sqlite, mysql or sqlserver"},
		{"database.dsn", "tienda.db", true, "data source name (file name for sqlite)"},
		{"database.auto_migrate", false, false, "serve applies pending migrations at start"},
		{"database.max_open_conns", 25, false, "connection pool size"},
		{"database.max_idle_conns", 25, false, "idle connections kept in the pool"},
		{"database.conn_max_lifetime", 30 * time.Minute, false, "recycle connections after this long"},
		{"database.conn_max_idle_time", 5 * time.Minute, false, "close idle connections after this long"},
		{"database.slow_threshold", 200 * time.Millisecond, false, "log queries slower than this (0 = off)"},
		{"jwt.secret", "", true, "HMAC secret, >= 32 bytes in production; random in development when empty"},
		{"jwt.ttl", 15 * time.Minute, false, "access token lifetime"},
		{"jwt.max_refresh", 24 * time.Hour, false, "a session can be refreshed until this long after login"},
		{"auth.bcrypt_cost", 12, false, "bcrypt cost of password hashes (>= 10 in production)"},
		{"auth.login_max_failures", 10, false, "failed logins per email or client IP before 429"},
		{"auth.login_window", 15 * time.Minute, false, "window in which failed logins are counted"},
		{"orders.idempotency_ttl", 24 * time.Hour, false, "how long an Idempotency-Key of POST /orders is remembered"},
		{"redis.addr", "", false, "host:port of Redis; empty = no Redis (tasks run in-process)"},
		{"redis.password", "", true, "Redis password"},
		{"redis.db", 0, false, "Redis database number"},
		{"redis.key_prefix", "tienda:", false, "prefix of every Redis key and queue tienda uses"},
		{"log.level", "info", false, "debug, info, warn or error"},
		{"log.format", "", false, "text or json; empty = json in production, text otherwise"},
		{"debug.pprof_addr", "", false, "host:port of a separate net/http/pprof listener; empty = off"},
	}
}

func randomSecret() string {
	b := make([]byte, MinSecretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// Setting is one effective configuration value, ready to print.
type Setting struct {
	Key   string
	Env   string
	Value string
}

// Settings lists the effective value of every key, secrets masked, in Keys() order.
func (c Config) Settings() []Setting {
	values := map[string]any{}
	root := reflect.ValueOf(c)
	for i := range root.NumField() {
		section := root.Type().Field(i).Tag.Get("mapstructure")
		sv := root.Field(i)
		for j := range sv.NumField() {
			values[section+"."+sv.Type().Field(j).Tag.Get("mapstructure")] = sv.Field(j).Interface()
		}
	}
	out := make([]Setting, 0, len(values))
	for _, k := range Keys() {
		val := fmt.Sprint(values[k.Name])
		if k.Secret {
			val = Mask(k.Name, val)
		}
		out = append(out, Setting{Key: k.Name, Env: k.EnvName(), Value: val})
	}
	return out
}

// Mask hides a secret value. A DSN keeps its shape with the password replaced, so an operator
// can still see which server and database it points at.
func Mask(key, val string) string {
	if val == "" {
		return ""
	}
	if key == "database.dsn" {
		return maskDSN(val)
	}
	return "********"
}

// maskDSN replaces the password in user:password@... DSNs (MySQL and URL forms) and in
// password=... key-value forms (SQL Server ADO style).
func maskDSN(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		head := dsn[:at]
		scheme := ""
		if i := strings.Index(head, "://"); i >= 0 {
			scheme, head = head[:i+3], head[i+3:]
		}
		if user, _, ok := strings.Cut(head, ":"); ok {
			return scheme + user + ":********" + dsn[at:]
		}
		return dsn
	}
	parts := strings.Split(dsn, ";")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "password") {
			parts[i] = k + "=********"
		}
	}
	return strings.Join(parts, ";")
}
