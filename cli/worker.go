package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"tienda/app"
	"tienda/tasks"
)

func workerCmd(env *environment) *cobra.Command {
	var concurrency int
	cmd := &cobra.Command{
		Use:   "worker [--concurrency N]",
		Short: "Run background task consumers (machinery on Redis) and an outbox relay",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loaded, log, err := env.load(cmd)
			if err != nil {
				return err
			}
			tasks.RouteMachineryLogs(log)
			if concurrency == 0 {
				concurrency = loaded.Config.Tasks.Concurrency
			}
			if concurrency < 1 {
				return usageError{errors.New("--concurrency must be >= 1")}
			}
			a, err := app.New(cmd.Context(), loaded.Config, log)
			if err != nil {
				return err
			}
			defer func() { _ = a.Close() }()
			if err := a.PrepareSchema(cmd.Context()); err != nil {
				return err
			}
			err = a.Work(cmd.Context(), concurrency)
			if errors.Is(err, app.ErrNoBroker) {
				return usageError{err}
			}
			return err
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "tasks run at once (default tasks.concurrency)")
	return cmd
}
