package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"tienda/app"
	"tienda/config"
)

func workerCmd(env *environment) *cobra.Command {
	var concurrency int
	cmd := &cobra.Command{
		Use:   "worker [--concurrency N]",
		Short: "Run background task consumers (machinery on Redis) and an outbox relay",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			check := func(c config.Config) error {
				if c.Redis.Addr == "" {
					return app.ErrNoBroker
				}
				if concurrency == 0 {
					concurrency = c.Tasks.Concurrency
				}
				if concurrency < 1 {
					return errors.New("--concurrency must be >= 1")
				}
				return nil
			}
			return env.withApp(cmd, appOptions{check: check, current: true}, func(a *app.App) error {
				return a.Work(cmd.Context(), concurrency)
			})
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "tasks run at once (default tasks.concurrency)")
	return cmd
}
