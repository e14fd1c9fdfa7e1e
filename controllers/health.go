package controllers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
)

// Probe checks that one dependency answers.
type Probe struct {
	Name string
	Ping func(ctx context.Context) error
}

// DefaultProbeTimeout bounds a readiness check when Health.Timeout is not set: well under the
// usual load balancer probe interval, so that a hung dependency answers "not ready" in time.
const DefaultProbeTimeout = 2 * time.Second

// Health answers the liveness and readiness checks of load balancers and orchestrators. Both
// are unauthenticated and cheap: liveness touches nothing, readiness pings each dependency once.
type Health struct {
	Probes  []Probe
	Timeout time.Duration
	Log     *slog.Logger
}

// Live answers 200 while the process runs (GET /healthz).
func (h Health) Live(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Ready pings every dependency at once, each within the timeout (GET /readyz): 200 when all
// answer, else 503 unavailable naming those that did not. The causes are logged, not shown: the
// endpoint is public.
func (h Health) Ready(c *gin.Context) {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
	defer cancel()
	errs := make([]error, len(h.Probes))
	var wg sync.WaitGroup
	for i, p := range h.Probes {
		wg.Go(func() { errs[i] = p.Ping(ctx) })
	}
	wg.Wait()

	var down []string
	var details []apperr.FieldError
	for i, err := range errs {
		if err == nil {
			continue
		}
		name := h.Probes[i].Name
		down = append(down, name)
		details = append(details, apperr.FieldError{Field: name, Message: "does not answer"})
		if h.Log != nil {
			h.Log.WarnContext(c.Request.Context(), "readiness check failed", "dependency", name, "error", err)
		}
	}
	if len(down) > 0 {
		e := apperr.Unavailable(nil, "not ready: %s not answering", strings.Join(down, ", "))
		e.Details = details
		_ = c.Error(e)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
