package cli

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"tienda/app"
	"tienda/tasks"
)

func serveCmd(env *environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (applies migrations first when database.auto_migrate is set)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loaded, log, err := env.load(cmd)
			if err != nil {
				return err
			}
			tasks.RouteMachineryLogs(log)
			ctx := cmd.Context()
			a, err := app.New(ctx, loaded.Config, log)
			if err != nil {
				return err
			}
			defer func() {
				if err := a.Close(); err != nil {
					log.Error("close database", "error", err)
				}
			}()
			if err := a.PrepareSchema(ctx); err != nil {
				return err
			}
			ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", loaded.Config.HTTP.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", loaded.Config.HTTP.Addr, err)
			}
			return a.Serve(ctx, ln)
		},
	}
	cmd.Flags().String("addr", "", "listen address, e.g. :8080 (http.addr)")
	return cmd
}
