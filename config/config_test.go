package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tienda/config"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDefaults(t *testing.T) {
	l, err := config.Load(config.Source{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if c.Database.Driver != "sqlite" || c.Database.DSN != "tienda.db" || c.HTTP.Addr != ":8080" || c.App.Env != "development" {
		t.Fatalf("defaults = %+v, want sqlite on tienda.db, :8080, development", c)
	}
	if len(c.JWT.Secret) < config.MinSecretBytes {
		t.Errorf("development without a secret: got %d-byte secret, want a generated one of >= %d", len(c.JWT.Secret), config.MinSecretBytes)
	}
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "jwt.secret") {
		t.Errorf("warnings = %q, want one about jwt.secret", l.Warnings)
	}
}

// TestPrecedence sets http.addr in every layer and removes the layers from the top down: each
// time the next one down must win.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "config.yaml", "http:\n  addr: \":1001\"\n")
	write(t, dir, ".env", "TIENDA_HTTP_ADDR=:1002\n")
	env := map[string]string{"TIENDA_HTTP_ADDR": ":1003"}
	flags := map[string]string{"http.addr": ":1004"}

	steps := []struct {
		name string
		src  config.Source
		want string
	}{
		{"flag over env", config.Source{Dir: dir, Env: env, Flags: flags}, ":1004"},
		{"env over .env", config.Source{Dir: dir, Env: env}, ":1003"},
		{".env over config.yaml", config.Source{Dir: dir}, ":1002"},
	}
	for _, s := range steps {
		l, err := config.Load(s.src)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if l.Config.HTTP.Addr != s.want {
			t.Errorf("%s: http.addr = %q, want %q", s.name, l.Config.HTTP.Addr, s.want)
		}
	}

	if err := os.Remove(filepath.Join(dir, ".env")); err != nil {
		t.Fatal(err)
	}
	l, err := config.Load(config.Source{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if l.Config.HTTP.Addr != ":1001" {
		t.Errorf("config.yaml over defaults: http.addr = %q, want :1001", l.Config.HTTP.Addr)
	}
	if l.Config.HTTP.ReadTimeout != 15*time.Second {
		t.Errorf("unset key: http.read_timeout = %s, want the default 15s", l.Config.HTTP.ReadTimeout)
	}
}

func TestExplicitConfigFileAndTypedValues(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "other.yaml", "database:\n  auto_migrate: true\n  max_open_conns: 7\n  slow_threshold: 1s\n")
	l, err := config.Load(config.Source{
		Dir:  t.TempDir(),
		File: filepath.Join(dir, "other.yaml"),
		Env:  map[string]string{"TIENDA_REDIS_DB": "3", "TIENDA_JWT_TTL": "2m", "UNRELATED": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if !c.Database.AutoMigrate || c.Database.MaxOpenConns != 7 || c.Database.SlowThreshold != time.Second {
		t.Errorf("database = %+v, want auto_migrate, 7 conns, 1s threshold from other.yaml", c.Database)
	}
	if c.Redis.DB != 3 || c.JWT.TTL != 2*time.Minute {
		t.Errorf("redis.db = %d, jwt.ttl = %s; want 3 and 2m from the environment", c.Redis.DB, c.JWT.TTL)
	}
}

// TestValidation checks that each misconfiguration is one error naming the key.
func TestValidation(t *testing.T) {
	longSecret := strings.Repeat("s", config.MinSecretBytes)
	cases := []struct {
		name string
		env  map[string]string
		yaml string
		want string
	}{
		{"unknown driver", map[string]string{"TIENDA_DATABASE_DRIVER": "oracle"}, "", "database.driver"},
		{"empty mysql dsn", map[string]string{"TIENDA_DATABASE_DRIVER": "mysql", "TIENDA_DATABASE_DSN": ""}, "", "database.dsn"},
		{"empty sqlserver dsn", map[string]string{"TIENDA_DATABASE_DRIVER": "sqlserver", "TIENDA_DATABASE_DSN": " "}, "", "database.dsn"},
		{"short secret in production", map[string]string{"TIENDA_APP_ENV": "production", "TIENDA_JWT_SECRET": "short"}, "", "jwt.secret"},
		{"no secret in production", map[string]string{"TIENDA_APP_ENV": "production"}, "", "jwt.secret"},
		{"bad duration", map[string]string{"TIENDA_HTTP_READ_TIMEOUT": "fast"}, "", "http.read_timeout"},
		{"bad duration in yaml", nil, "jwt:\n  ttl: soon\n", "jwt.ttl"},
		{"negative duration", map[string]string{"TIENDA_HTTP_SHUTDOWN_TIMEOUT": "-1s"}, "", "http.shutdown_timeout"},
		{"bad port", map[string]string{"TIENDA_HTTP_ADDR": ":99999"}, "", "http.addr"},
		{"port not a number", map[string]string{"TIENDA_HTTP_ADDR": ":http"}, "", "http.addr"},
		{"addr without port", map[string]string{"TIENDA_HTTP_ADDR": "localhost"}, "", "http.addr"},
		{"bad redis addr", map[string]string{"TIENDA_REDIS_ADDR": "redis"}, "", "redis.addr"},
		{"bad integer", map[string]string{"TIENDA_DATABASE_MAX_OPEN_CONNS": "many"}, "", "database.max_open_conns"},
		{"zero pool", map[string]string{"TIENDA_DATABASE_MAX_OPEN_CONNS": "0"}, "", "database.max_open_conns"},
		{"bad bool", map[string]string{"TIENDA_DATABASE_AUTO_MIGRATE": "perhaps"}, "", "database.auto_migrate"},
		{"unknown env", map[string]string{"TIENDA_APP_ENV": "staging"}, "", "app.env"},
		{"bad log level", map[string]string{"TIENDA_LOG_LEVEL": "loud"}, "", "log.level"},
		{"unknown yaml key", nil, "database:\n  drvier: mysql\n", "database.drvier"},
		{"zero body cap", map[string]string{"TIENDA_HTTP_MAX_BODY_BYTES": "0"}, "", "http.max_body_bytes"},
		{"zero request timeout", map[string]string{"TIENDA_HTTP_REQUEST_TIMEOUT": "0s"}, "", "http.request_timeout"},
		{"origin with a path", map[string]string{"TIENDA_HTTP_CORS_ORIGINS": "https://a.example.com,https://b.example.com/app"}, "", "http.cors_origins"},
		{"rate not a number", map[string]string{"TIENDA_RATELIMIT_IP_RATE": "fast"}, "", "ratelimit.ip_rate"},
		{"zero rate while enabled", map[string]string{"TIENDA_RATELIMIT_USER_RATE": "0"}, "", "ratelimit.user_rate"},
		{"zero burst while enabled", nil, "ratelimit:\n  ip_burst: 0\n", "ratelimit.ip_burst"},
		{"bad metrics addr", map[string]string{"TIENDA_METRICS_ADDR": "metrics"}, "", "metrics.addr"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.yaml != "" {
				write(t, dir, "config.yaml", c.yaml)
			}
			if c.env == nil {
				c.env = map[string]string{}
			}
			if _, ok := c.env["TIENDA_JWT_SECRET"]; !ok && c.env["TIENDA_APP_ENV"] != "production" {
				c.env["TIENDA_JWT_SECRET"] = longSecret
			}
			_, err := config.Load(config.Source{Dir: dir, Env: c.env})
			if err == nil {
				t.Fatalf("want an error naming %s, got nil", c.want)
			}
			var cfgErr *config.Error
			if !errors.As(err, &cfgErr) {
				t.Errorf("error type %T, want *config.Error (exit status 2)", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s", msg, c.want)
			}
		})
	}
}

func TestOperationsKeys(t *testing.T) {
	l, err := config.Load(config.Source{Dir: t.TempDir(), Env: map[string]string{
		"TIENDA_HTTP_CORS_ORIGINS":   "https://admin.example.com,http://localhost:5173",
		"TIENDA_RATELIMIT_IP_RATE":   "2.5",
		"TIENDA_RATELIMIT_ENABLED":   "false",
		"TIENDA_RATELIMIT_USER_RATE": "0", // not checked while disabled
		"TIENDA_METRICS_ADDR":        "127.0.0.1:9090",
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if c.HTTP.MaxBodyBytes != 1<<20 || c.HTTP.RequestTimeout != 10*time.Second {
		t.Errorf("body cap %d, request timeout %s; want the defaults 1 MiB and 10s", c.HTTP.MaxBodyBytes, c.HTTP.RequestTimeout)
	}
	if len(c.HTTP.CORSOrigins) != 2 || c.HTTP.CORSOrigins[1] != "http://localhost:5173" {
		t.Errorf("cors origins %q, want the two listed", c.HTTP.CORSOrigins)
	}
	if c.RateLimit.Enabled || c.RateLimit.IPRate != 2.5 || c.RateLimit.IPBurst != 40 || c.Metrics.Addr != "127.0.0.1:9090" {
		t.Errorf("ratelimit %+v, metrics %+v; want disabled, ip_rate 2.5, default burst 40, the metrics address", c.RateLimit, c.Metrics)
	}
	d, err := config.Load(config.Source{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Config.RateLimit.Enabled || len(d.Config.HTTP.CORSOrigins) != 0 || d.Config.Metrics.Addr != "" {
		t.Errorf("defaults: ratelimit %+v, cors %q, metrics %q; want limits on, CORS off, metrics on the API listener",
			d.Config.RateLimit, d.Config.HTTP.CORSOrigins, d.Config.Metrics.Addr)
	}
}

func TestProductionAcceptsLongSecret(t *testing.T) {
	l, err := config.Load(config.Source{Dir: t.TempDir(), Env: map[string]string{
		"TIENDA_APP_ENV": "production", "TIENDA_JWT_SECRET": strings.Repeat("k", 40),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Warnings) != 0 {
		t.Errorf("warnings = %q, want none", l.Warnings)
	}
}

func TestMissingExplicitConfigFile(t *testing.T) {
	_, err := config.Load(config.Source{Dir: t.TempDir(), File: "/nonexistent/tienda.yaml"})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/tienda.yaml") {
		t.Fatalf("err = %v, want one naming the missing file", err)
	}
}

func TestSettingsMaskSecrets(t *testing.T) {
	l, err := config.Load(config.Source{Dir: t.TempDir(), Env: map[string]string{
		"TIENDA_DATABASE_DRIVER": "mysql",
		"TIENDA_DATABASE_DSN":    "app:hunter22@tcp(db:3306)/tienda",
		"TIENDA_JWT_SECRET":      "0123456789abcdef0123456789abcdef-secret",
		"TIENDA_REDIS_PASSWORD":  "redispw",
	}})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, s := range l.Config.Settings() {
		all.WriteString(s.Key + "=" + s.Value + "\n")
	}
	out := all.String()
	for _, secret := range []string{"hunter22", "-secret", "redispw"} {
		if strings.Contains(out, secret) {
			t.Errorf("settings show %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "database.dsn=app:********@tcp(db:3306)/tienda") {
		t.Errorf("masked DSN should keep its shape:\n%s", out)
	}
}

func TestMaskDSNForms(t *testing.T) {
	cases := map[string]string{
		"sqlserver://sa:Pa55w0rd@db:1433?database=tienda":   "sqlserver://sa:********@db:1433?database=tienda",
		"server=db;user id=sa;password=Pa55w0rd;database=x": "server=db;user id=sa;password=********;database=x",
		"tienda.db": "tienda.db",
	}
	for in, want := range cases {
		if got := config.Mask("database.dsn", in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestREADMEListsEveryKey keeps the README's configuration table complete.
func TestREADMEListsEveryKey(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range config.Keys() {
		row := "| `" + k.Name + "` | `" + k.EnvName() + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row for %s (%s)", k.Name, k.EnvName())
		}
	}
}
