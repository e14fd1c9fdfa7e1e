package middleware

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
	"tienda/metrics"
	"tienda/ratelimit"
)

// Observer records finished requests; *metrics.Metrics is one.
type Observer interface {
	RequestStarted()
	// RequestDone gets the route template (c.FullPath(), "" when no route matched).
	RequestDone(method, route string, status int, elapsed time.Duration)
}

// maxLoggedPath is the most of a request's path that a log line copies: the rest of a path
// made to fill the logs is cut off.
const maxLoggedPath = 256

// LoggedPath returns the request's path cut to maxLoggedPath bytes (on a rune boundary, with
// "..." when cut), for log lines and error messages.
func LoggedPath(c *gin.Context) string {
	p := c.Request.URL.Path
	if len(p) <= maxLoggedPath {
		return p
	}
	return strings.ToValidUTF8(p[:maxLoggedPath], "") + "..."
}

// Access writes one log line per request (method, route template, path, status, latency,
// bytes, client IP, the user when known; the method is one of HTTP's standard methods or
// metrics.OtherMethod, and the path is cut to a bounded length; the request ID comes from the context through the
// logger's handler) and reports the request to obs, when there is one. Successful requests to
// the routes in quiet (health checks, scrapes) are logged at debug level only, so that a load
// balancer probing every second does not fill the logs.
func Access(log *slog.Logger, obs Observer, quiet ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		if obs != nil {
			obs.RequestStarted()
		}
		// Deferred, so that a request whose handler panics with http.ErrAbortHandler (re-raised
		// by Recover) still leaves the in-flight gauge.
		defer func() {
			elapsed := time.Since(start)
			route, status, method := c.FullPath(), c.Writer.Status(), metrics.Method(c.Request.Method)
			if obs != nil {
				obs.RequestDone(method, route, status, elapsed)
			}
			level := slog.LevelInfo
			if status < http.StatusBadRequest && slices.Contains(quiet, route) {
				level = slog.LevelDebug
			}
			ctx := c.Request.Context()
			if !log.Enabled(ctx, level) {
				return
			}
			attrs := make([]slog.Attr, 0, 9)
			attrs = append(attrs,
				slog.String("method", method),
				slog.String("route", route),
				slog.String("path", LoggedPath(c)),
				slog.Int("status", status),
				slog.Float64("latency_ms", math.Round(float64(elapsed.Microseconds()))/1000),
				slog.Int("bytes", max(c.Writer.Size(), 0)),
				slog.String("client_ip", c.ClientIP()),
			)
			if a := ActorOf(c); a.Authenticated() {
				attrs = append(attrs, slog.Uint64("user_id", uint64(a.UserID)))
			}
			log.LogAttrs(ctx, level, "request", attrs...)
		}()
		c.Next()
	}
}

// Security headers sent with every response. APIContentSecurityPolicy forbids a browser to run
// or load anything from a response: the API serves JSON, never pages.
const (
	APIContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

// SecurityHeaders sets X-Content-Type-Options, X-Frame-Options, Referrer-Policy and a
// Content-Security-Policy on every response. Handlers that serve pages (Swagger UI) replace the
// Content-Security-Policy with their own.
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", APIContentSecurityPolicy)
		c.Next()
	}
}

// CORS lets browser pages from origins ("*" for any) call the API with a bearer token. It
// answers preflight requests itself. No cookies are involved, so credentials are not allowed.
// Without origins it returns nil: CORS is off and browsers keep their same-origin rule.
func CORS(origins []string) gin.HandlerFunc {
	if len(origins) == 0 {
		return nil
	}
	anyOrigin := slices.Contains(origins, "*")
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[strings.ToLower(o)] = true
	}
	methods := strings.Join([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, ", ")
	headers := strings.Join([]string{"Authorization", "Content-Type", "Idempotency-Key", RequestIDHeader}, ", ")
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		if !anyOrigin && !allowed[strings.ToLower(origin)] {
			c.Next()
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", methods)
			h.Set("Access-Control-Allow-Headers", headers)
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", RequestIDHeader+", Retry-After")
		c.Next()
	}
}

// BodyLimit refuses request bodies over limit bytes with 413 payload_too_large: at once when
// Content-Length says so, else when a handler reads past the limit (http.MaxBytesReader, which
// the JSON binding turns into the same 413).
func BodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			Abort(c, apperr.New(apperr.CodePayloadTooLarge, "the request body is larger than %d bytes", limit))
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// Timeout puts a deadline of d on the request's context. Database calls made with it give up
// when it passes, and Errors answers 503 unavailable; a handler that ignores its context is not
// interrupted (http.Server's write timeout is the backstop).
func Timeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// Limiter hands out request tokens per key; *ratelimit.Keyed (one process) and
// *ratelimit.Shared (all processes, on Redis) are.
type Limiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration)
}

// RateLimit takes a token from the bucket that key names for the request, and answers 429
// rate_limited with Retry-After (whole seconds, rounded up) when there is none. An empty key
// lets the request through untouched.
func RateLimit(l Limiter, key func(*gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		k := key(c)
		if k == "" {
			c.Next()
			return
		}
		ok, wait := l.Allow(c.Request.Context(), k)
		if !ok {
			e := apperr.New(apperr.CodeRateLimited, "too many requests; try again later")
			e.RetryAfter = max(1, int(math.Ceil(wait.Seconds())))
			Abort(c, e)
			return
		}
		c.Next()
	}
}

// UserKey is the rate-limit key of the logged-in caller, or "" for anonymous requests.
func UserKey(c *gin.Context) string {
	if a := ActorOf(c); a.Authenticated() {
		return "user:" + strconv.FormatUint(uint64(a.UserID), 10)
	}
	return ""
}

// ClientKey is the rate-limit key of the client's IP address (its /64 network for IPv6), as
// Gin reads it with the configured trusted proxies.
func ClientKey(c *gin.Context) string { return "ip:" + ratelimit.IPKey(c.ClientIP()) }
