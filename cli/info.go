package cli

import (
	"fmt"
	"runtime"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func versionCmd(version string) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "tienda %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}

func configCmd(env *environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the configuration",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			return usageError{fmt.Errorf("config needs a subcommand: show")}
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration, secrets masked",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loaded, _, err := env.load(cmd)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if loaded.File != "" {
				fmt.Fprintf(out, "# config file: %s\n", loaded.File)
			}
			w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KEY\tVALUE\tENV")
			for _, s := range loaded.Config.Settings() {
				fmt.Fprintf(w, "%s\t%s\t%s\n", s.Key, s.Value, s.Env)
			}
			return w.Flush()
		},
	})
	return cmd
}
