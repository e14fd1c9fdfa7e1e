package app

import (
	"context"
	"io"
	"log/slog"

	"tienda/config"
	"tienda/middleware"
)

// NewLogger returns the process logger: JSON in production (or when log.format says so), text
// otherwise, at the configured level. Every record logged with a *Context method during a
// request carries that request's ID as request_id.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.Log.Format
	if format == "" {
		format = "text"
		if cfg.App.Production() {
			format = "json"
		}
	}
	if format == "json" {
		return WithRequestIDs(slog.New(slog.NewJSONHandler(w, opts)))
	}
	return WithRequestIDs(slog.New(slog.NewTextHandler(w, opts)))
}

// RequestIDKey is the attribute that carries the request ID in log records.
const RequestIDKey = "request_id"

// WithRequestIDs returns log with a handler that adds the request ID found in a record's
// context (middleware.RequestIDFrom) to the record, so that every line logged for a request
// (access line, errors, slow queries, panics) can be found by the X-Request-ID the client saw.
// It wraps a logger once only.
func WithRequestIDs(log *slog.Logger) *slog.Logger {
	if _, ok := log.Handler().(requestIDHandler); ok {
		return log
	}
	return slog.New(requestIDHandler{log.Handler()})
}

// requestIDHandler adds request_id from the context. Records logged under a group (WithGroup)
// get it inside that group.
type requestIDHandler struct{ next slog.Handler }

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := middleware.RequestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String(RequestIDKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.next.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.next.WithGroup(name)}
}
