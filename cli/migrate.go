package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"tienda/app"
)

func migrateCmd(env *environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply, roll back or list schema migrations",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{fmt.Errorf("migrate needs a subcommand: up, down, status or to <id>")}
		},
	}
	withApp := func(fn func(cmd *cobra.Command, a *app.App, args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			return env.withApp(cmd, appOptions{}, func(a *app.App) error { return fn(cmd, a, args) })
		}
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "up",
			Short: "Apply every pending migration",
			Args:  noArgs,
			RunE: withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
				if err := a.Migrations().Up(cmd.Context()); err != nil {
					return err
				}
				return printStatus(cmd, a)
			}),
		},
		&cobra.Command{
			Use:   "down",
			Short: "Roll back the last applied migration",
			Args:  noArgs,
			RunE: withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
				if err := a.Migrations().Down(cmd.Context()); err != nil {
					return err
				}
				return printStatus(cmd, a)
			}),
		},
		&cobra.Command{
			Use:   "status",
			Short: "List applied, pending and unknown migrations",
			Args:  noArgs,
			RunE: withApp(func(cmd *cobra.Command, a *app.App, _ []string) error {
				return printStatus(cmd, a)
			}),
		},
		&cobra.Command{
			Use:   "to <id>",
			Short: "Migrate up or down so that <id> is the last applied migration",
			Args: func(cmd *cobra.Command, args []string) error {
				if len(args) != 1 {
					return usageError{fmt.Errorf("migrate to needs exactly one migration id")}
				}
				return nil
			},
			RunE: withApp(func(cmd *cobra.Command, a *app.App, args []string) error {
				if err := a.Migrations().To(cmd.Context(), args[0]); err != nil {
					return err
				}
				return printStatus(cmd, a)
			}),
		},
	)
	return cmd
}

func printStatus(cmd *cobra.Command, a *app.App) error {
	st, err := a.Migrations().Status(cmd.Context())
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	for _, id := range st.Applied {
		fmt.Fprintf(out, "applied  %s\n", id)
	}
	for _, id := range st.Pending {
		fmt.Fprintf(out, "pending  %s\n", id)
	}
	for _, id := range st.Unknown {
		fmt.Fprintf(out, "unknown  %s  (applied by a newer tienda)\n", id)
	}
	return nil
}
