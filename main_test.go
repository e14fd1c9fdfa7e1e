package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
)

// execMainEnv makes the test binary run main with the arguments it holds instead of the tests,
// so that a test can start the real program as a child process and send it real signals.
const execMainEnv = "TIENDA_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(execMainEnv); ok {
		os.Args = append([]string{"tienda"}, strings.Fields(args)...)
		main()
		return
	}
	os.Exit(m.Run())
}

// TestSIGTERMStopsServeWithStatusZero runs `tienda serve` as a process, waits until it is
// ready, sends SIGTERM and expects a clean exit with status 0 after the shutdown line.
func TestSIGTERMStopsServeWithStatusZero(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, db config.Database) {
		addr := apptest.FreeAddr(t)
		var stderr bytes.Buffer
		cmd := exec.CommandContext(t.Context(), os.Args[0])
		cmd.Dir = t.TempDir() // no config.yaml or .env there
		cmd.Env = append(os.Environ(),
			execMainEnv+"=serve --addr "+addr,
			"TIENDA_APP_ENV=test",
			"TIENDA_JWT_SECRET="+strings.Repeat("s", 32),
			"TIENDA_DATABASE_DRIVER="+db.Driver,
			"TIENDA_DATABASE_DSN="+db.DSN,
			"TIENDA_DATABASE_AUTO_MIGRATE=true",
			"TIENDA_LOG_FORMAT=json",
			"TIENDA_AUTH_BCRYPT_COST=4", // the default makes start-up take seconds under -race
		)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()

		apptest.WaitUntil(t, 30*time.Second, "serve's /readyz", func() bool {
			select {
			case err := <-exited:
				t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
			default:
			}
			return get(t, "http://"+addr+"/readyz") == http.StatusOK
		})
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("serve after SIGTERM: %v, want exit status 0\n%s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("serve still running 30s after SIGTERM\n%s", stderr.String())
		}
		if !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
			t.Errorf("no shutdown line in the log:\n%s", stderr.String())
		}
		if db.Driver == config.DriverSQLite {
			// SQLite removes the write-ahead log when the last connection closes cleanly.
			if _, err := os.Stat(db.DSN + "-wal"); err == nil {
				t.Errorf("%s-wal is still there: the database was not closed", db.DSN)
			}
		}
	})
}

func get(t *testing.T, url string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
