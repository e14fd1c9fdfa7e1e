// Package cli is tienda's command line: one binary with serve, worker, migrate, seed,
// create-admin, version and config commands. It parses flags, loads the config once and hands it to the app package; it holds no
// business logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"tienda/app"
	"tienda/config"
	"tienda/database"
	"tienda/tasks"
)

// Exit statuses.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // bad flags, arguments or configuration
)

// IO is the process's outside world, passed in so tests can run commands in-process.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Environ is the process environment as NAME=value pairs.
	Environ []string
	// Dir is the working directory for config.yaml and .env; empty means ".".
	Dir string
}

// usageError marks an error that exits with ExitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// flagKeys maps command-line flags to the config keys they override.
var flagKeys = map[string]string{
	"db-driver": "database.driver",
	"db-dsn":    "database.dsn",
	"log-level": "log.level",
	"addr":      "http.addr",
}

// Run executes the command line args and returns the exit status.
func Run(ctx context.Context, args []string, version string, stdio IO) int {
	root := newRoot(version, stdio)
	// Cobra reports unknown commands, bad flags and bad arguments before any command runs;
	// started tells those usage errors from the command's own failures.
	started := false
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stdio.Stderr, "tienda: %s\n", strings.Join(strings.Fields(err.Error()), " "))
	var ue usageError
	var ce *config.Error
	if !started || errors.As(err, &ue) || errors.As(err, &ce) {
		return ExitUsage
	}
	return ExitError
}

func newRoot(version string, stdio IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "tienda",
		Short:         "tienda: a shop back office (users, products, orders) behind a JSON API",
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q (see tienda --help)", args[0])}
			}
			return usageError{errors.New("a command is required (see tienda --help)")}
		},
	}
	root.SetIn(stdio.Stdin)
	root.SetOut(stdio.Stdout)
	root.SetErr(stdio.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (default ./config.yaml when present)")
	pf.String("db-driver", "", "database driver: sqlite, mysql or sqlserver (database.driver)")
	pf.String("db-dsn", "", "database DSN (database.dsn)")
	pf.String("log-level", "", "debug, info, warn or error (log.level)")

	env := &environment{stdio: stdio}
	root.AddCommand(
		serveCmd(env),
		migrateCmd(env),
		versionCmd(version),
		configCmd(env),
		createAdminCmd(env),
		workerCmd(env),
		seedCmd(env),
	)
	return root
}

// noArgs rejects stray positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", cmd.CommandPath(), args[0])}
	}
	return nil
}

// environment loads the config and builds the logger for a command.
type environment struct {
	stdio IO
}

// load reads the configuration with the command's flags on top.
func (e *environment) load(cmd *cobra.Command) (config.Loaded, *slog.Logger, error) {
	file, _ := cmd.Flags().GetString("config")
	flags := map[string]string{}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if key, ok := flagKeys[f.Name]; ok {
			flags[key] = f.Value.String()
		}
	})
	loaded, err := config.Load(config.Source{
		File:  file,
		Dir:   e.stdio.Dir,
		Env:   envMap(e.stdio.Environ),
		Flags: flags,
	})
	if err != nil {
		return config.Loaded{}, nil, err
	}
	// Gin's mode is process-wide. Its debug mode (route listing, warnings) only helps a
	// developer watching `serve`; everywhere else it is noise.
	if loaded.Config.App.Env != config.EnvDevelopment || cmd.Name() != "serve" {
		gin.SetMode(gin.ReleaseMode)
	}
	log := app.NewLogger(loaded.Config, e.stdio.Stderr)
	for _, w := range loaded.Warnings {
		log.Warn(w)
	}
	return loaded, log, nil
}

// appOptions say how a command wants its app.
type appOptions struct {
	// check refuses configurations the command cannot run with (a usage error).
	check func(config.Config) error
	// current applies or demands pending migrations (auto_migrate) before fn runs; migrate
	// commands leave the schema as it is.
	current bool
}

// withApp loads the configuration, builds the app, runs fn with it and closes it.
func (e *environment) withApp(cmd *cobra.Command, opts appOptions, fn func(a *app.App) error) error {
	loaded, log, err := e.load(cmd)
	if err != nil {
		return err
	}
	if opts.check != nil {
		if err := opts.check(loaded.Config); err != nil {
			return usageError{err}
		}
	}
	tasks.RouteMachineryLogs(log)
	database.RouteDriverLogs(log)
	a, err := app.New(cmd.Context(), loaded.Config, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close connections", "error", err)
		}
	}()
	if opts.current {
		if err := a.PrepareSchema(cmd.Context()); err != nil {
			return err
		}
	}
	return fn(a)
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
