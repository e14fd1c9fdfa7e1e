package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tienda/app"
	"tienda/config"
	"tienda/seed"
)

func seedCmd(env *environment) *cobra.Command {
	var products int
	cmd := &cobra.Command{
		Use:   "seed [--products N]",
		Short: "Add demo data (an admin, a customer, products, orders); safe to repeat, refused in production",
		Long: "Add demo data for trying the API: the accounts " + seed.AdminEmail + " and " + seed.CustomerEmail +
			" with random passwords (printed once, when created), products DEMO-0001... with realistic names, and a few" +
			" orders of the customer. What exists already is left as it is, so running it again adds only what is missing.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if products < 0 || products > seed.MaxProducts {
				return usageError{fmt.Errorf("--products must be between 0 and %d, got %d", seed.MaxProducts, products)}
			}
			notInProduction := func(c config.Config) error {
				if c.App.Production() {
					return errors.New("seed makes demo accounts and products: refused with app.env=production")
				}
				return nil
			}
			return env.withApp(cmd, appOptions{check: notInProduction, current: true}, func(a *app.App) error {
				rep, err := seed.Run(cmd.Context(), seed.Services{Users: a.Users, Products: a.Products, Orders: a.Orders},
					seed.Options{Products: products})
				if err != nil {
					return describe(err)
				}
				return printSeedReport(cmd, rep)
			})
		},
	}
	cmd.Flags().IntVar(&products, "products", seed.DefaultProducts, "number of demo products")
	return cmd
}

func printSeedReport(cmd *cobra.Command, rep seed.Report) error {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ROLE\tEMAIL\tPASSWORD")
	for _, a := range rep.Accounts {
		pw := a.Password
		if !a.Created {
			pw = "(already there; password unchanged)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", a.Role, a.Email, pw)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "products: %d created, %d already there\n", rep.ProductsCreated, rep.ProductsExisting)
	fmt.Fprintf(out, "orders: %d created for %s\n", rep.OrdersCreated, seed.CustomerEmail)
	return nil
}
