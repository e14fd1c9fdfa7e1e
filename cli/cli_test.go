package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/cli"
	"tienda/config"
	"tienda/migrations"
)

// run executes the CLI in-process with a clean environment plus env.
func run(t *testing.T, ctx context.Context, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Run(ctx, args, "test", cli.IO{
		Stdin:   strings.NewReader(""),
		Stdout:  &out,
		Stderr:  &errOut,
		Environ: append([]string{"TIENDA_JWT_SECRET=" + strings.Repeat("x", 32)}, env...),
		Dir:     t.TempDir(),
	})
	return code, out.String(), errOut.String()
}

func TestUsageAndConfigErrorsExitTwoWithOneLine(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
	}{
		{"unknown flag", nil, []string{"serve", "--bogus"}},
		{"unknown command", nil, []string{"frobnicate"}},
		{"no command", nil, nil},
		{"stray argument", nil, []string{"version", "extra"}},
		{"migrate to without id", nil, []string{"migrate", "to"}},
		{"migrate without subcommand", nil, []string{"migrate"}},
		{"bad driver", []string{"TIENDA_DATABASE_DRIVER=oracle"}, []string{"migrate", "status"}},
		{"bad driver flag", nil, []string{"config", "show", "--db-driver", "oracle"}},
		{"missing config file", nil, []string{"--config", "/nonexistent.yaml", "config", "show"}},
		{"worker without redis", nil, []string{"worker"}},
		{"worker with zero concurrency", []string{"TIENDA_REDIS_ADDR=127.0.0.1:1"}, []string{"worker", "--concurrency", "-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, context.Background(), c.env, c.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit status %d, want %d; stderr %q", code, cli.ExitUsage, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "tienda: ") || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr = %q, want one line starting with 'tienda: '", stderr)
			}
		})
	}
}

func TestVersionAndConfigShow(t *testing.T) {
	code, out, _ := run(t, context.Background(), nil, "version")
	if code != 0 || !strings.HasPrefix(out, "tienda test ") {
		t.Errorf("version: exit %d, out %q", code, out)
	}
	code, out, _ = run(t, context.Background(), []string{"TIENDA_REDIS_PASSWORD=s3cret-pw"}, "config", "show", "--db-driver", "mysql", "--db-dsn", "u:pw123@tcp(h:3306)/d")
	if code != 0 {
		t.Fatalf("config show: exit %d", code)
	}
	for _, want := range []string{"database.driver", "mysql", "u:********@tcp(h:3306)/d", "TIENDA_DATABASE_DSN"} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"pw123", "s3cret-pw", strings.Repeat("x", 32)} {
		if strings.Contains(out, secret) {
			t.Errorf("config show leaks %q", secret)
		}
	}
}

func TestMigrateCommands(t *testing.T) {
	all := migrations.All()
	first, last := all[0].ID, all[len(all)-1].ID
	dbtest.EachEmpty(t, func(t *testing.T, db config.Database) {
		ctx := context.Background()
		env := []string{"TIENDA_DATABASE_DRIVER=" + db.Driver, "TIENDA_DATABASE_DSN=" + db.DSN}
		code, out, stderr := run(t, ctx, env, "migrate", "status")
		if code != 0 || strings.Count(out, "pending  ") != len(all) {
			t.Fatalf("status on an empty database: exit %d, out %q, err %q; want all %d pending", code, out, stderr, len(all))
		}
		code, out, stderr = run(t, ctx, env, "migrate", "up")
		if code != 0 || strings.Contains(out, "pending") || strings.Count(out, "applied  ") != len(all) {
			t.Fatalf("up: exit %d, out %q, err %q", code, out, stderr)
		}
		code, out, stderr = run(t, ctx, env, "migrate", "down")
		if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "pending  "+last) || strings.Count(out, "pending") != 1 {
			t.Fatalf("down: exit %d, out %q, err %q; want only %s pending", code, out, stderr, last)
		}
		code, out, _ = run(t, ctx, env, "migrate", "to", first)
		if code != 0 || !strings.HasPrefix(out, "applied  "+first+"\n") || strings.Count(out, "applied") != 1 {
			t.Fatalf("to %s: exit %d, out %q", first, code, out)
		}
		for range all {
			run(t, ctx, env, "migrate", "down")
		}
		code, _, stderr = run(t, ctx, env, "migrate", "down")
		if code != cli.ExitError || !strings.Contains(stderr, "no applied migration") {
			t.Fatalf("down with nothing applied: exit %d, err %q", code, stderr)
		}
	})
}

func TestServeRefusesPendingMigrationsWithoutAutoMigrate(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, db config.Database) {
		env := []string{"TIENDA_DATABASE_DRIVER=" + db.Driver, "TIENDA_DATABASE_DSN=" + db.DSN, "TIENDA_DATABASE_AUTO_MIGRATE=false"}
		code, _, stderr := run(t, context.Background(), env, "serve", "--addr", "127.0.0.1:0")
		if code != cli.ExitError || !strings.Contains(stderr, "tienda migrate up") {
			t.Fatalf("exit %d, stderr %q; want a refusal that says to run tienda migrate up", code, stderr)
		}
	})
}

// TestServeAnswersAndStops starts `serve` with auto-migration, waits for /healthz, then cancels
// its context as SIGTERM would and expects a clean exit.
func TestServeAnswersAndStops(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, db config.Database) {
		addr := apptest.FreeAddr(t)
		env := []string{"TIENDA_DATABASE_DRIVER=" + db.Driver, "TIENDA_DATABASE_DSN=" + db.DSN, "TIENDA_DATABASE_AUTO_MIGRATE=true"}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan int, 1)
		go func() {
			code, _, _ := run(t, ctx, env, "serve", "--addr", addr)
			done <- code
		}()
		waitHealthy(t, "http://"+addr+"/healthz", done)
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("serve exited %d after shutdown, want 0", code)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop within 30s of cancellation")
		}
	})
}

func waitHealthy(t *testing.T, url string, exited <-chan int) {
	t.Helper()
	apptest.WaitUntil(t, 30*time.Second, url+" answering 200", func() bool {
		select {
		case code := <-exited:
			t.Fatalf("serve exited early with %d", code)
		default:
		}
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func TestSeedCommand(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, db config.Database) {
		ctx := context.Background()
		// The cheapest bcrypt cost: the default 12 makes each command take seconds under -race.
		env := []string{"TIENDA_DATABASE_DRIVER=" + db.Driver, "TIENDA_DATABASE_DSN=" + db.DSN, "TIENDA_DATABASE_AUTO_MIGRATE=true",
			"TIENDA_AUTH_BCRYPT_COST=4"}
		code, out, stderr := run(t, ctx, env, "seed", "--products", "5")
		if code != 0 || !strings.Contains(out, "demo-admin@example.com") || !strings.Contains(out, "products: 5 created, 0 already there") ||
			!strings.Contains(out, "orders: 3 created") || strings.Contains(out, "unchanged") {
			t.Fatalf("first seed: exit %d, out %q, err %q", code, out, stderr)
		}
		code, out, stderr = run(t, ctx, env, "seed", "--products", "5")
		if code != 0 || strings.Count(out, "(already there; password unchanged)") != 2 ||
			!strings.Contains(out, "products: 0 created, 5 already there") || !strings.Contains(out, "orders: 0 created") {
			t.Fatalf("second seed: exit %d, out %q, err %q; want nothing new", code, out, stderr)
		}
	})
}

func TestSeedRefusals(t *testing.T) {
	cases := map[string][]string{
		"negative count": {"seed", "--products", "-1"},
		"production":     {"seed"},
	}
	for name, args := range cases {
		env := []string{"TIENDA_DATABASE_DSN=" + t.TempDir() + "/x.db"}
		if name == "production" {
			env = append(env, "TIENDA_APP_ENV=production")
		}
		code, _, stderr := run(t, context.Background(), env, args...)
		if code != cli.ExitUsage {
			t.Errorf("%s: exit %d, stderr %q; want %d", name, code, stderr, cli.ExitUsage)
		}
	}
}

// TestGinReleaseModeOutsideDevelopment: gin's debug mode (route listing, warnings) is only for a
// developer watching `serve`; production runs in release mode.
func TestGinReleaseModeOutsideDevelopment(t *testing.T) {
	gin.SetMode(gin.DebugMode)
	t.Cleanup(func() { gin.SetMode(gin.TestMode) })
	code, _, stderr := run(t, context.Background(), []string{"TIENDA_APP_ENV=production"}, "config", "show")
	if code != 0 {
		t.Fatalf("config show in production: exit %d, %s", code, stderr)
	}
	if gin.Mode() != gin.ReleaseMode {
		t.Errorf("gin mode in production = %q, want release", gin.Mode())
	}
}
