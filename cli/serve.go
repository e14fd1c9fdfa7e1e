package cli

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"tienda/app"
)

func serveCmd(env *environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (applies migrations first when database.auto_migrate is set)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return env.withApp(cmd, appOptions{current: true}, func(a *app.App) error {
				addr := a.Config.HTTP.Addr
				ln, err := (&net.ListenConfig{}).Listen(cmd.Context(), "tcp", addr)
				if err != nil {
					return fmt.Errorf("listen on %s: %w", addr, err)
				}
				return a.Serve(cmd.Context(), ln)
			})
		},
	}
	cmd.Flags().String("addr", "", "listen address, e.g. :8080 (http.addr)")
	return cmd
}
