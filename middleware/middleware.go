// Package middleware holds the Gin middleware every request passes through: request IDs, panic
// recovery, the single error mapper that writes the contract's envelope, and the caller's
// identity. It must not hold business rules.
package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
	"tienda/database"
	"tienda/metrics"
	"tienda/services"
)

// RequestIDHeader carries the request ID in both directions.
const RequestIDHeader = "X-Request-ID"

// maxRequestID caps the length of a client-chosen request ID.
const maxRequestID = 128

type ctxKey int

const (
	requestIDKey ctxKey = iota
)

// RequestID takes the client's X-Request-ID when it is short and plain (letters, digits, '-',
// '_', '.', ':'), or makes one; it echoes it in the response and puts it in the request context,
// where the logger finds it.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey, id))
		c.Next()
	}
}

// RequestIDFrom returns the request ID carried by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := range len(id) {
		ch := id[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			ch == '-' || ch == '_' || ch == '.' || ch == ':'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Recover turns a panic into a 500 `internal` whose body says nothing of the cause; the log line
// has the panic value, the stack and the request ID.
func Recover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared as net/http does
				panic(p)
			}
			log.ErrorContext(c.Request.Context(), "panic serving request",
				"panic", p, "method", metrics.Method(c.Request.Method), "path", LoggedPath(c), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				writeEnvelope(c, apperr.New(apperr.CodeInternal, "internal error"))
			}
			c.Abort()
		}()
		c.Next()
	}
}

// Errors writes the error a handler left in c.Errors as the contract's envelope: application
// errors with their own status, lost lock races, timeouts and lost database connections as 503
// `unavailable`, anything else as a logged 500 `internal` that shows nothing of the cause.
func Errors(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		WriteError(c, log, c.Errors.Last().Err)
	}
}

// WriteError answers err in the contract's envelope (see Errors).
func WriteError(c *gin.Context, log *slog.Logger, err error) {
	ae, ok := apperr.As(err)
	switch {
	case ok:
	case errors.Is(err, context.DeadlineExceeded), database.Retryable(err):
		log.WarnContext(c.Request.Context(), "request gave up", "error", err)
		ae = apperr.Unavailable(err, "the service is busy; try again")
		ae.RetryAfter = 1
	case database.ConnectionLost(err):
		log.WarnContext(c.Request.Context(), "database connection lost", "error", err)
		ae = apperr.Unavailable(err, "a service this request needs is unavailable; try again")
		ae.RetryAfter = 1
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		ae = apperr.Unavailable(err, "request cancelled")
	default:
		log.ErrorContext(c.Request.Context(), "internal error",
			"error", err, "method", metrics.Method(c.Request.Method), "path", c.FullPath())
		ae = apperr.New(apperr.CodeInternal, "internal error")
	}
	writeEnvelope(c, ae)
}

func writeEnvelope(c *gin.Context, e *apperr.Error) {
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	c.AbortWithStatusJSON(e.HTTPStatus(), e.Response())
}

// Abort stops the chain with err, to be written by Errors.
func Abort(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// SetActor records who makes the request.
func SetActor(c *gin.Context, a services.Actor) {
	c.Request = c.Request.WithContext(services.WithActor(c.Request.Context(), a))
}

// ActorOf returns who makes the request; the zero Actor when nobody is logged in.
func ActorOf(c *gin.Context) services.Actor {
	return services.ActorFrom(c.Request.Context())
}
