package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tienda/app"
	"tienda/apperr"
	"tienda/services"
)

func createAdminCmd(env *environment) *cobra.Command {
	var email, password, name string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "create-admin --email EMAIL (--password PASSWORD | --password-stdin)",
		Short: "Create an admin, or promote (and re-password) an existing user; safe to repeat",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if fromStdin == (password != "") {
				return usageError{errors.New("give exactly one of --password and --password-stdin")}
			}
			if fromStdin {
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && line == "" {
					return usageError{fmt.Errorf("read password from stdin: %w", err)}
				}
				password = strings.TrimRight(line, "\r\n")
			}
			req, err := services.Registration{Email: email, Password: password, FullName: name}.Validate()
			if err != nil {
				return usageError{describe(err)}
			}
			return env.withApp(cmd, appOptions{current: true}, func(a *app.App) error {
				created, err := a.Users.EnsureAdmin(cmd.Context(), services.System("create-admin"), req.Email, req.Password, req.FullName)
				if err != nil {
					return describe(err)
				}
				if created {
					fmt.Fprintf(cmd.OutOrStdout(), "created admin %s\n", req.Email)
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "%s is an active admin with the given password\n", req.Email)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&email, "email", "", "the admin's email")
	f.StringVar(&password, "password", "", "the admin's password (visible in the process list; prefer --password-stdin)")
	f.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of stdin")
	f.StringVar(&name, "name", "Administrator", "full name for a new account")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

// describe turns an application error into one line, listing invalid fields.
func describe(err error) error {
	ae, ok := apperr.As(err)
	if !ok {
		return err
	}
	msg := ae.Message
	for _, d := range ae.Details {
		msg += fmt.Sprintf("; %s %s", d.Field, d.Message)
	}
	return errors.New(msg)
}
