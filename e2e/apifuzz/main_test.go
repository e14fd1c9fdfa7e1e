package apifuzz

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestMain keeps Gin quiet: debug mode prints every route of every app the fuzzer builds.
func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}
