// Command tienda is a shop back office: users, products and orders behind a JSON REST API with
// JWT auth, Swagger UI, versioned migrations and background workers. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"tienda/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], version, cli.IO{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Environ: os.Environ(),
	})
	stop()
	os.Exit(code)
}
