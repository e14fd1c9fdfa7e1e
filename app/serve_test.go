package app_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/goleak"

	"tienda/app"
	"tienda/apptest"
	"tienda/config"
)

// server is an app answering on a real loopback listener through App.Serve.
type server struct {
	app    *app.App
	addr   string
	cancel context.CancelFunc // what SIGTERM does to serve's context
	done   chan error         // Serve's result
	client *http.Client
}

func serve(t *testing.T, a *app.App) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{
		app: a, addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1),
		client: &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second},
	}
	go func() { s.done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		s.client.CloseIdleConnections()
	})
	return s
}

func (s *server) get(t *testing.T, url string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// wait returns Serve's result, failing the test when it takes longer than d.
func (s *server) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(d):
		t.Fatalf("Serve did not return within %s", d)
		return nil
	}
}

// slowRoute adds a test-only route to the app's router: it reports that it started, then
// answers only when release is closed.
func slowRoute(t *testing.T, a *app.App, path string) (started <-chan struct{}, release chan<- struct{}) {
	t.Helper()
	engine, ok := a.Handler.(*gin.Engine)
	if !ok {
		t.Fatalf("the app's handler is a %T, not a *gin.Engine", a.Handler)
	}
	start, rel := make(chan struct{}), make(chan struct{})
	engine.GET(path, func(c *gin.Context) {
		close(start)
		select {
		case <-rel:
		case <-time.After(15 * time.Second):
		}
		c.String(http.StatusOK, "finished")
	})
	return start, rel
}

// leakOptions are the goroutines goleak may find after a test: those that ran before it, and
// database/sql's connection opener of the test database server's admin handle, which dbtest
// closes in t.Cleanup, after the check.
func leakOptions() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreCurrent(),
		goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"),
	}
}

// TestGracefulShutdown starts the app on a real listener, holds a request in flight, and
// cancels Serve's context as SIGTERM does: new connections must be refused at once, the
// request must finish, Serve must return nil, the database must close, and no goroutine of
// the server may be left behind.
func TestGracefulShutdown(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ignore := leakOptions()
		started, release := slowRoute(t, e.App, "/test/slow")
		s := serve(t, e.App)
		waitReady(t, s)

		type result struct {
			code int
			body string
			err  error
		}
		slow := make(chan result, 1)
		go func() {
			code, body, err := s.get(t, "http://"+s.addr+"/test/slow")
			slow <- result{code, body, err}
		}()
		<-started
		s.cancel()

		refusedBy := time.Now().Add(5 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", s.addr, time.Second)
			if errors.Is(err, syscall.ECONNREFUSED) {
				break
			}
			// A dial racing the listener's close may be accepted by the kernel and then reset.
			if err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("dial during shutdown: %v, want connection refused", err)
			}
			if c != nil {
				_ = c.Close()
			}
			if time.Now().After(refusedBy) {
				t.Fatal("new connections still accepted 5s after shutdown began")
			}
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case err := <-s.done:
			t.Fatalf("Serve returned (%v) while a request was in flight", err)
		default:
		}

		close(release)
		r := <-slow
		if r.err != nil || r.code != http.StatusOK || r.body != "finished" {
			t.Fatalf("in-flight request: %d %q %v; want it to finish with 200", r.code, r.body, r.err)
		}
		if err := s.wait(t, 10*time.Second); err != nil {
			t.Fatalf("Serve after a graceful shutdown: %v, want nil (exit status 0)", err)
		}
		if err := e.App.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		if sqlDB, _ := e.DB.DB(); sqlDB.PingContext(t.Context()) == nil {
			t.Error("the database still answers after Close")
		}
		s.client.CloseIdleConnections()
		goleak.VerifyNone(t, ignore...)
	})
}

// TestShutdownTimeoutCutsStragglers checks that a request outliving http.shutdown_timeout
// does not hold the process: Serve gives up on it and reports the failed drain.
func TestShutdownTimeoutCutsStragglers(t *testing.T) {
	e := apptest.New(t, engineNamed(t, config.DriverSQLite), apptest.WithConfig(func(c *config.Config) {
		c.HTTP.ShutdownTimeout = 200 * time.Millisecond
	}))
	ignore := leakOptions()
	started, release := slowRoute(t, e.App, "/test/slow")
	s := serve(t, e.App)
	waitReady(t, s)
	slow := make(chan error, 1)
	go func() {
		_, _, err := s.get(t, "http://"+s.addr+"/test/slow")
		slow <- err
	}()
	<-started
	s.cancel()
	err := s.wait(t, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "graceful shutdown") {
		t.Errorf("Serve = %v, want a graceful-shutdown error after the 200ms grace", err)
	}
	if err := <-slow; err == nil {
		t.Error("the straggling request got an answer; its connection should have been closed")
	}
	close(release)
	if err := e.App.Close(); err != nil {
		t.Fatal(err)
	}
	s.client.CloseIdleConnections()
	goleak.VerifyNone(t, ignore...)
}

func TestMetricsOnTheirOwnListener(t *testing.T) {
	metricsAddr := closedAddr(t)
	e := apptest.New(t, engineNamed(t, config.DriverSQLite), apptest.WithConfig(func(c *config.Config) {
		c.Metrics.Addr = metricsAddr
	}))
	ignore := leakOptions()
	s := serve(t, e.App)
	waitReady(t, s)
	if code, _, err := s.get(t, "http://"+s.addr+"/metrics"); err != nil || code != http.StatusNotFound {
		t.Errorf("/metrics on the API listener: %d %v, want 404 when metrics.addr is set", code, err)
	}
	code, body, err := s.get(t, "http://"+metricsAddr+"/metrics")
	if err != nil || code != http.StatusOK || !strings.Contains(body, `tienda_http_requests_total{method="GET",route="/readyz",status="200"}`) {
		t.Errorf("/metrics on %s: %d %v; want 200 with the API's request series", metricsAddr, code, err)
	}
	s.cancel()
	if err := s.wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", metricsAddr, time.Second); err == nil {
		_ = c.Close()
		t.Error("the metrics listener is still open after Serve returned")
	}
	if err := e.App.Close(); err != nil {
		t.Fatal(err)
	}
	s.client.CloseIdleConnections()
	goleak.VerifyNone(t, ignore...)
}

func waitReady(t *testing.T, s *server) {
	t.Helper()
	apptest.WaitUntil(t, 10*time.Second, "/readyz answering 200", func() bool {
		code, _, err := s.get(t, "http://"+s.addr+"/readyz")
		return err == nil && code == http.StatusOK
	})
}
