package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/joho/godotenv"
	"github.com/spf13/viper"
)

// EnvPrefix starts every environment variable tienda reads.
const EnvPrefix = "TIENDA_"

// DefaultFile is the config file read from the working directory when no --config is given.
const DefaultFile = "config.yaml"

// Source says where Load finds each layer. Tests fill it in themselves; main passes the real
// process environment and the flags the user set.
type Source struct {
	// File is an explicit config file (--config); it must exist. Empty means DefaultFile in Dir,
	// if that exists.
	File string
	// Dir is the working directory that holds the default config file and .env; empty means ".".
	Dir string
	// Env is the process environment; only TIENDA_* names for known keys are read.
	Env map[string]string
	// Flags maps config keys to values given on the command line.
	Flags map[string]string
}

// Error is a configuration mistake; the CLI reports it on one line and exits with status 2.
type Error struct{ Msg string }

func (e *Error) Error() string { return "config: " + e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Loaded is the outcome of Load: the config plus warnings the caller should log.
type Loaded struct {
	Config   Config
	Warnings []string
	// File is the config file that was read, or "" when none was.
	File string
}

// Load builds the effective configuration: defaults < config file < .env < environment < flags.
func Load(src Source) (Loaded, error) {
	v := viper.New()
	keys := Keys()
	for _, k := range keys {
		v.SetDefault(k.Name, k.Default)
	}

	dir := src.Dir
	if dir == "" {
		dir = "."
	}
	file, err := configFile(src.File, dir)
	if err != nil {
		return Loaded{}, err
	}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return Loaded{}, errorf("read %s: %s", file, oneLine(err))
		}
	}

	dotenv, err := readDotEnv(filepath.Join(dir, ".env"))
	if err != nil {
		return Loaded{}, err
	}
	for _, layer := range []map[string]string{dotenv, src.Env} {
		if err := v.MergeConfigMap(envLayer(keys, layer)); err != nil {
			return Loaded{}, errorf("%s", oneLine(err))
		}
	}
	for key, val := range src.Flags {
		v.Set(key, val)
	}

	var cfg Config
	if err := decode(v, keys, &cfg); err != nil {
		return Loaded{}, err
	}
	out := Loaded{Config: cfg, File: file}
	if err := validate(&out); err != nil {
		return Loaded{}, err
	}
	return out, nil
}

func configFile(explicit, dir string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", errorf("--config %s: file not found", explicit)
		}
		return explicit, nil
	}
	def := filepath.Join(dir, DefaultFile)
	if _, err := os.Stat(def); err == nil {
		return def, nil
	}
	return "", nil
}

func readDotEnv(path string) (map[string]string, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	m, err := godotenv.Read(path)
	if err != nil {
		return nil, errorf("read %s: %s", path, oneLine(err))
	}
	return m, nil
}

// envLayer turns TIENDA_* variables for known keys into a nested map viper can merge.
func envLayer(keys []Key, env map[string]string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		val, ok := env[k.EnvName()]
		if !ok {
			continue
		}
		section, leaf, _ := strings.Cut(k.Name, ".")
		m, _ := out[section].(map[string]any)
		if m == nil {
			m = map[string]any{}
			out[section] = m
		}
		m[leaf] = val
	}
	return out
}

func envName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// decode fills cfg, rejecting unknown keys in the config file and naming the key of any value
// that does not parse.
func decode(v *viper.Viper, keys []Key, cfg *Config) error {
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[k.Name] = true
	}
	for _, name := range v.AllKeys() {
		if !known[name] {
			return errorf("%s: unknown key", name)
		}
	}
	for _, k := range keys {
		if err := checkType(k, v.Get(k.Name)); err != nil {
			return err
		}
	}
	if err := v.Unmarshal(cfg, func(dc *mapstructure.DecoderConfig) { dc.ErrorUnused = true }); err != nil {
		return errorf("%s", oneLine(err))
	}
	return nil
}

// checkType parses raw the way the decoder will, so that a bad value is reported with its key
// and environment name rather than as a decoder trace.
func checkType(k Key, raw any) error {
	s, isString := raw.(string)
	if !isString {
		return nil
	}
	var err error
	switch k.Default.(type) {
	case time.Duration:
		_, err = time.ParseDuration(s)
	case int:
		_, err = strconv.Atoi(s)
	case int64:
		_, err = strconv.ParseInt(s, 10, 64)
	case float64:
		_, err = strconv.ParseFloat(s, 64)
	case bool:
		_, err = strconv.ParseBool(s)
	}
	if err != nil {
		return errorf("%s (%s): cannot parse %q as %s", k.Name, k.EnvName(), s, typeName(k.Default))
	}
	return nil
}

func typeName(v any) string {
	switch v.(type) {
	case time.Duration:
		return "a duration (e.g. 30s, 5m)"
	case int, int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "a string"
}

func validate(l *Loaded) error {
	c := &l.Config
	c.Database.Driver = strings.ToLower(strings.TrimSpace(c.Database.Driver))
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s (%s): %s", key, envName(key), fmt.Sprintf(format, args...)))
	}

	if !slices.Contains([]string{EnvDevelopment, EnvTest, EnvProduction}, c.App.Env) {
		bad("app.env", "unknown environment %q (want development, test or production)", c.App.Env)
	}
	if !slices.Contains([]string{DriverSQLite, DriverMySQL, DriverSQLServer}, c.Database.Driver) {
		bad("database.driver", "unknown driver %q (want sqlite, mysql or sqlserver)", c.Database.Driver)
	}
	if strings.TrimSpace(c.Database.DSN) == "" {
		bad("database.dsn", "must not be empty for driver %s", c.Database.Driver)
	}
	if err := checkAddr(c.HTTP.Addr, false); err != nil {
		bad("http.addr", "%s", err)
	}
	if err := checkAddr(c.Redis.Addr, true); err != nil {
		bad("redis.addr", "%s", err)
	}
	if err := checkAddr(c.Metrics.Addr, true); err != nil {
		bad("metrics.addr", "%s", err)
	}
	if err := checkAddr(c.Debug.PprofAddr, true); err != nil {
		bad("debug.pprof_addr", "%s", err)
	}
	for key, d := range map[string]time.Duration{
		"http.read_header_timeout":     c.HTTP.ReadHeaderTimeout,
		"http.read_timeout":            c.HTTP.ReadTimeout,
		"http.write_timeout":           c.HTTP.WriteTimeout,
		"http.idle_timeout":            c.HTTP.IdleTimeout,
		"http.shutdown_timeout":        c.HTTP.ShutdownTimeout,
		"http.request_timeout":         c.HTTP.RequestTimeout,
		"jwt.ttl":                      c.JWT.TTL,
		"jwt.max_refresh":              c.JWT.MaxRefresh,
		"auth.login_window":            c.Auth.LoginWindow,
		"auth.login_known_address_for": c.Auth.LoginKnownAddressFor,
		"orders.idempotency_ttl":       c.Orders.IdempotencyTTL,
		"tasks.result_ttl":             c.Tasks.ResultTTL,
		"tasks.relay_interval":         c.Tasks.RelayInterval,
		"tasks.redeliver_after":        c.Tasks.RedeliverAfter,
		"tasks.shutdown_grace":         c.Tasks.ShutdownGrace,
		"mail.timeout":                 c.Mail.Timeout,
		"mail.data_timeout":            c.Mail.DataTimeout,
	} {
		if d <= 0 {
			bad(key, "must be a positive duration, got %s", d)
		}
	}
	for key, d := range map[string]time.Duration{
		"database.conn_max_lifetime":  c.Database.ConnMaxLifetime,
		"database.conn_max_idle_time": c.Database.ConnMaxIdleTime,
		"database.slow_threshold":     c.Database.SlowThreshold,
	} {
		if d < 0 {
			bad(key, "must not be negative, got %s", d)
		}
	}
	if c.Database.MaxOpenConns < 1 {
		bad("database.max_open_conns", "must be >= 1, got %d", c.Database.MaxOpenConns)
	}
	if c.Database.MaxIdleConns < 0 {
		bad("database.max_idle_conns", "must be >= 0, got %d", c.Database.MaxIdleConns)
	}
	minCost := 4
	if c.App.Production() {
		minCost = 10
	}
	if c.Auth.BcryptCost < minCost || c.Auth.BcryptCost > 31 {
		bad("auth.bcrypt_cost", "must be between %d and 31, got %d", minCost, c.Auth.BcryptCost)
	}
	if c.Auth.LoginMaxFailures < 1 {
		bad("auth.login_max_failures", "must be >= 1, got %d", c.Auth.LoginMaxFailures)
	}
	for key, n := range map[string]int{"auth.login_ip_max_failures": c.Auth.LoginIPMaxFailures, "auth.login_account_max_failures": c.Auth.LoginAccountMaxFailures} {
		if n < c.Auth.LoginMaxFailures {
			bad(key, "must be >= auth.login_max_failures (%d), got %d", c.Auth.LoginMaxFailures, n)
		}
	}
	if c.Auth.PasswordResetTTL <= 0 || c.Auth.PasswordResetTTL > 24*time.Hour {
		bad("auth.password_reset_ttl", "must be between 1s and 24h, got %s", c.Auth.PasswordResetTTL)
	}
	if c.Auth.PasswordResetsPerHour < 1 {
		bad("auth.password_resets_per_hour", "must be >= 1, got %d", c.Auth.PasswordResetsPerHour)
	}
	if c.RateLimit.RegisterPerHour < 0 {
		bad("ratelimit.register_per_hour", "must be >= 0, got %d", c.RateLimit.RegisterPerHour)
	}
	for _, p := range c.HTTP.TrustedProxies {
		if !validProxy(p) {
			bad("http.trusted_proxies", "%q is not an IP address or CIDR", p)
		}
	}
	if c.Tasks.Concurrency < 1 {
		bad("tasks.concurrency", "must be >= 1, got %d", c.Tasks.Concurrency)
	}
	if c.Tasks.MaxAttempts < 1 {
		bad("tasks.max_attempts", "must be >= 1, got %d", c.Tasks.MaxAttempts)
	}
	if c.Tasks.LowStockThreshold < 0 {
		bad("tasks.low_stock_threshold", "must be >= 0, got %d", c.Tasks.LowStockThreshold)
	}
	if strings.TrimSpace(c.Tasks.Queue) == "" {
		bad("tasks.queue", "must not be empty")
	}
	if c.Mail.SMTPPort < 1 || c.Mail.SMTPPort > 65535 {
		bad("mail.smtp_port", "must be between 1 and 65535, got %d", c.Mail.SMTPPort)
	}
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		bad("mail.from", "%q is not an email address", c.Mail.From)
	}
	if c.HTTP.MaxBodyBytes < 1 {
		bad("http.max_body_bytes", "must be >= 1, got %d", c.HTTP.MaxBodyBytes)
	}
	for _, o := range c.HTTP.CORSOrigins {
		if !validOrigin(o) {
			bad("http.cors_origins", "%q is not an origin like https://shop.example.com (or *)", o)
		}
	}
	if c.RateLimit.Enabled {
		for key, r := range map[string]float64{"ratelimit.ip_rate": c.RateLimit.IPRate, "ratelimit.user_rate": c.RateLimit.UserRate} {
			if r <= 0 {
				bad(key, "must be > 0 while ratelimit.enabled is true, got %g", r)
			}
		}
		for key, b := range map[string]int{"ratelimit.ip_burst": c.RateLimit.IPBurst, "ratelimit.user_burst": c.RateLimit.UserBurst} {
			if b < 1 {
				bad(key, "must be >= 1 while ratelimit.enabled is true, got %d", b)
			}
		}
	}
	if c.Redis.DB < 0 || c.Redis.DB > 15 {
		bad("redis.db", "must be between 0 and 15, got %d", c.Redis.DB)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		bad("log.level", "unknown level %q (want debug, info, warn or error)", c.Log.Level)
	}
	if !slices.Contains([]string{"", "text", "json"}, c.Log.Format) {
		bad("log.format", "unknown format %q (want text or json)", c.Log.Format)
	}
	switch {
	case c.App.Production() && len(c.JWT.Secret) < MinSecretBytes:
		bad("jwt.secret", "must be at least %d bytes in production, got %d", MinSecretBytes, len(c.JWT.Secret))
	case c.JWT.Secret == "":
		c.JWT.Secret = randomSecret()
		l.Warnings = append(l.Warnings, "jwt.secret is not set: using a random secret, so tokens die with this process (set TIENDA_JWT_SECRET)")
	}
	if len(errs) > 0 {
		return &Error{Msg: strings.Join(errs, "; ")}
	}
	return nil
}

// checkAddr accepts host:port with a numeric port in 0..65535.
func checkAddr(addr string, optional bool) error {
	if addr == "" && optional {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port, got %q", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("bad port %q (want 0..65535)", port)
	}
	return nil
}

// validOrigin accepts "*" and scheme://host[:port] with nothing after it, the form browsers
// send in the Origin header.
func validOrigin(o string) bool {
	if o == "*" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

func validProxy(p string) bool {
	if _, _, err := net.ParseCIDR(p); err == nil {
		return true
	}
	return net.ParseIP(p) != nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
