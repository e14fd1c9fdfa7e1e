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
	Tasks    Tasks    `mapstructure:"tasks"`
	Mail     Mail     `mapstructure:"mail"`
	Log      Log      `mapstructure:"log"`
	// RateLimit and Metrics belong to operations (docs/decisions/0010-observability.md).
	RateLimit RateLimit `mapstructure:"ratelimit"`
	Metrics   Metrics   `mapstructure:"metrics"`
	Debug     Debug     `mapstructure:"debug"`
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
	// MaxBodyBytes caps a request body; a larger one is answered 413 payload_too_large.
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// RequestTimeout is the deadline put on each request's context, so that database calls
	// give up (503) instead of holding a connection.
	RequestTimeout time.Duration `mapstructure:"request_timeout"`
	// CORSOrigins are the browser origins allowed to call the API ("*" for any); none turns
	// CORS off.
	CORSOrigins []string `mapstructure:"cors_origins"`
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
	// LoginIPMaxFailures and LoginAccountMaxFailures are the higher ceilings per client address
	// (any email) and per account (any address); see docs/decisions/0016-login-lockout-policy.md.
	LoginIPMaxFailures      int           `mapstructure:"login_ip_max_failures"`
	LoginAccountMaxFailures int           `mapstructure:"login_account_max_failures"`
	LoginKnownAddressFor    time.Duration `mapstructure:"login_known_address_for"`
	// PasswordResetTTL is how long an emailed reset token works; PasswordResetURL, when set, is
	// the page the email links to (the token is appended as ?token=); PasswordResetsPerHour
	// bounds the reset emails one address may ask for in an hour.
	PasswordResetTTL      time.Duration `mapstructure:"password_reset_ttl"`
	PasswordResetURL      string        `mapstructure:"password_reset_url"`
	PasswordResetsPerHour int           `mapstructure:"password_resets_per_hour"`
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

// Tasks configures background work: the machinery queue (Redis) or the in-process runner, and
// the outbox relay that feeds them.
type Tasks struct {
	Queue       string        `mapstructure:"queue"`
	Concurrency int           `mapstructure:"concurrency"`
	ResultTTL   time.Duration `mapstructure:"result_ttl"`
	// RelayInterval is how often the relay looks for due outbox jobs.
	RelayInterval time.Duration `mapstructure:"relay_interval"`
	// RedeliverAfter is how long a task may take before its job is handed to the queue again
	// (the broker loses tasks held by a killed worker).
	RedeliverAfter time.Duration `mapstructure:"redeliver_after"`
	// MaxAttempts bounds hand-offs of one job before it is marked failed.
	MaxAttempts int `mapstructure:"max_attempts"`
	// ShutdownGrace is how long a stopping worker waits for running tasks.
	ShutdownGrace     time.Duration `mapstructure:"shutdown_grace"`
	LowStockThreshold int64         `mapstructure:"low_stock_threshold"`
}

// Mail configures outgoing email; without SMTPHost, emails are written to the log.
type Mail struct {
	SMTPHost     string        `mapstructure:"smtp_host"`
	SMTPPort     int           `mapstructure:"smtp_port"`
	SMTPUser     string        `mapstructure:"smtp_user"`
	SMTPPassword string        `mapstructure:"smtp_password"`
	StartTLS     bool          `mapstructure:"smtp_starttls"`
	From         string        `mapstructure:"from"`
	Timeout      time.Duration `mapstructure:"timeout"`
	// DataTimeout bounds the DATA phase alone (sending the message and waiting for the final
	// reply); 0 means Timeout.
	DataTimeout time.Duration `mapstructure:"data_timeout"`
}

// Log configures the process logger.
type Log struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// RateLimit configures the per-process token buckets of the API: one per client IP for every
// API request, and one per user for authenticated requests.
type RateLimit struct {
	Enabled bool `mapstructure:"enabled"`
	// IPRate is the sustained rate of requests per second of one client IP; IPBurst how many
	// it may send at once.
	IPRate  float64 `mapstructure:"ip_rate"`
	IPBurst int     `mapstructure:"ip_burst"`
	// UserRate and UserBurst are the same for one logged-in user, on top of the IP's bucket.
	UserRate  float64 `mapstructure:"user_rate"`
	UserBurst int     `mapstructure:"user_burst"`
	// RegisterPerHour is how many accounts one client IP may register per hour (as a burst,
	// refilled evenly over the hour); 0 = no registration limit.
	RegisterPerHour int `mapstructure:"register_per_hour"`
}

// Metrics configures the Prometheus endpoint.
type Metrics struct {
	// Addr, when set, serves /metrics on its own listener and not on the API's.
	Addr string `mapstructure:"addr"`
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
		{"http.max_body_bytes", int64(1 << 20), false, "largest request body accepted (413 above)"},
		{"http.request_timeout", 10 * time.Second, false, "deadline of each request's work, database calls included (503 after)"},
		{"http.cors_origins", []string{}, false, "comma-separated browser origins allowed by CORS (* = any); none = CORS off"},
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
		{"auth.login_max_failures", 10, false, "failed logins per email and client address before 429 for that pair"},
		{"auth.login_window", 15 * time.Minute, false, "window in which failed logins are counted"},
		{"auth.login_ip_max_failures", 50, false, "failed logins per client address (any email) before 429 for that address"},
		{"auth.login_account_max_failures", 100, false, "failed logins per account (any address) before only its known addresses may try"},
		{"auth.login_known_address_for", 720 * time.Hour, false, "how long an address where an account logged in stays known to it"},
		{"auth.password_reset_ttl", 30 * time.Minute, false, "how long an emailed password reset token works (it works once)"},
		{"auth.password_reset_url", "", false, "page the reset email links to, the token appended as ?token= (empty: the email gives the token only)"},
		{"auth.password_resets_per_hour", 3, false, "reset emails one email address may ask for in an hour (more answer 202 and send nothing)"},
		{"orders.idempotency_ttl", 24 * time.Hour, false, "how long an Idempotency-Key of POST /orders is remembered"},
		{"redis.addr", "", false, "host:port of Redis; empty = no Redis (tasks run in-process)"},
		{"redis.password", "", true, "Redis password"},
		{"redis.db", 0, false, "Redis database number"},
		{"redis.key_prefix", "tienda:", false, "prefix of every Redis key and queue tienda uses"},
		{"tasks.queue", "tasks", false, "queue name (under redis.key_prefix)"},
		{"tasks.concurrency", 4, false, "tasks run at once by a worker (or by serve without Redis)"},
		{"tasks.result_ttl", 24 * time.Hour, false, "how long task states and results, and stored sales reports, are kept"},
		{"tasks.relay_interval", time.Second, false, "how often the outbox relay looks for due jobs"},
		{"tasks.redeliver_after", 2 * time.Minute, false, "a job whose task has not finished by then is queued again"},
		{"tasks.max_attempts", 10, false, "hand-offs of one job before it is marked failed"},
		{"tasks.shutdown_grace", 30 * time.Second, false, "how long a stopping worker waits for running tasks"},
		{"tasks.low_stock_threshold", int64(5), false, "an order taking a product below this stock alerts the admins (0 = off)"},
		{"mail.smtp_host", "", false, "SMTP server; empty writes emails to the log"},
		{"mail.smtp_port", 587, false, "SMTP port"},
		{"mail.smtp_user", "", false, "SMTP user (empty: no authentication)"},
		{"mail.smtp_password", "", true, "SMTP password"},
		{"mail.smtp_starttls", true, false, "require STARTTLS"},
		{"mail.from", "tienda <no-reply@tienda.local>", false, "From address of emails"},
		{"mail.timeout", 10 * time.Second, false, "timeout of connecting and of each SMTP command before DATA"},
		{"mail.data_timeout", 10 * time.Minute, false, "timeout of the DATA phase: sending the message and waiting for its final reply (RFC 5321's 10 minutes)"},
		{"log.level", "info", false, "debug, info, warn or error"},
		{"log.format", "", false, "text or json; empty = json in production, text otherwise"},
		{"ratelimit.enabled", true, false, "rate-limit the API per client IP and per user (429 rate_limited)"},
		{"ratelimit.ip_rate", 20.0, false, "requests per second one client IP may sustain"},
		{"ratelimit.ip_burst", 40, false, "requests one client IP may send at once"},
		{"ratelimit.user_rate", 10.0, false, "requests per second one logged-in user may sustain"},
		{"ratelimit.user_burst", 20, false, "requests one logged-in user may send at once"},
		{"ratelimit.register_per_hour", 20, false, "accounts one client IP may register per hour (0 = no limit)"},
		{"metrics.addr", "", false, "host:port serving /metrics on its own; empty = /metrics on the API listener"},
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
