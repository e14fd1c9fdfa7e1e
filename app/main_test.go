package app_test

import (
	"log/slog"
	"os"
	"testing"

	"github.com/gin-gonic/gin"

	"tienda/tasks"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // no route listing on every router the tests build
	tasks.RouteMachineryLogs(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
