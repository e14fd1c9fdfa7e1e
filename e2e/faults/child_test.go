package faults

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/gin-gonic/gin"

	"tienda/apptest"
	"tienda/cli"
	"tienda/tasks"
)

// childEnv names the role a re-executed test binary plays instead of running tests.
const childEnv = "TIENDA_TEST_CHILD"

// runChild runs `tienda worker` when this test binary was started as a child worker process.
func runChild() (code int, isChild bool) {
	if os.Getenv(childEnv) != "worker" {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, []string{"worker"}, "test", cli.IO{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ(), Dir: os.TempDir(),
	}), true
}

// quietMachinery keeps machinery's chatter out of the test output.
func quietMachinery() { tasks.RouteMachineryLogs(slog.New(slog.DiscardHandler)) }

func TestMain(m *testing.M) {
	quietMachinery()
	if code, isChild := runChild(); isChild {
		os.Exit(code)
	}
	gin.SetMode(gin.TestMode)
	code := m.Run()
	apptest.RemoveBinary()
	os.Exit(code)
}
