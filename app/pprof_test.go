package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
)

// TestPprofOnlyOnItsOwnListener checks that debug.pprof_addr serves the profiles on a listener
// of its own, and that the API's address does not serve them.
func TestPprofOnlyOnItsOwnListener(t *testing.T) {
	pprofAddr := apptest.FreeAddr(t)
	e := apptest.New(t, dbtest.Engines()[0], apptest.WithConfig(func(c *config.Config) { c.Debug.PprofAddr = pprofAddr }))
	base := e.Serve()

	if code, body := get(t, "http://"+pprofAddr+"/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof listener: %d %q, want 200 with the profile index", code, body)
	}
	if code, _ := get(t, base+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("API listener: /debug/pprof/ answered %d, want 404", code)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
