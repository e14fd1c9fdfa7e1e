package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	mysqldriver "github.com/go-sql-driver/mysql"

	"tienda/apperr"
	"tienda/apptest/dbtest"
	"tienda/middleware"
)

// TestWriteError checks the one mapping from errors to statuses and envelopes: application
// errors keep their code, lost lock races and deadlines become a retryable 503, anything else a
// 500 that says nothing of its cause.
func TestWriteError(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cases := []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter bool
	}{
		{"conflict", apperr.Conflict("taken"), http.StatusConflict, "conflict", false},
		{"wrapped not found", fmt.Errorf("layer: %w", apperr.NotFound("order")), http.StatusNotFound, "not_found", false},
		{"deadlock after retries", fmt.Errorf("tx: %w", &mysqldriver.MySQLError{Number: 1213, Message: "Deadlock found"}), http.StatusServiceUnavailable, "unavailable", true},
		{"lock wait timeout", &mysqldriver.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded"}, http.StatusServiceUnavailable, "unavailable", true},
		{"request deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "unavailable", true},
		{"driver error", errors.New("Error 1146: Table 'tienda.secret_table' doesn't exist"), http.StatusInternalServerError, "internal", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			ctx, _ := gin.CreateTestContext(w)
			ctx.Request = httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x", nil)
			middleware.WriteError(ctx, dbtest.Logger(), c.err)
			body := w.Body.String()
			if w.Code != c.status || !strings.Contains(body, `"code":"`+c.code+`"`) {
				t.Fatalf("got %d %s, want %d with code %s", w.Code, body, c.status, c.code)
			}
			if got := w.Header().Get("Retry-After") != ""; got != c.retryAfter {
				t.Errorf("Retry-After present = %v, want %v", got, c.retryAfter)
			}
			for _, leak := range []string{"1213", "1146", "secret_table", "Deadlock", "deadline"} {
				if strings.Contains(body, leak) {
					t.Errorf("body %s leaks %q", body, leak)
				}
			}
		})
	}
}
