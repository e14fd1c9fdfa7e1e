package app

import (
	"context"
	"encoding/json"
	"io"

	"tienda/apperr"
	"tienda/console"
	"tienda/models"
	"tienda/services"
	"tienda/tasks"
)

// consoleCatalogue adapts the products service to the console: the same service calls, so the
// same rules and messages, as the API.
type consoleCatalogue struct {
	*services.Products
}

func (c consoleCatalogue) SetActive(ctx context.Context, actor services.Actor, id uint, active bool) (models.Product, error) {
	return c.Products.Patch(ctx, actor, id, services.ProductPatch{IsActive: &active})
}

// consoleUsers adapts the users service to the console's users page.
type consoleUsers struct {
	*services.Users
}

func (c consoleUsers) List(ctx context.Context, _ services.Actor, q services.UserQuery) (services.Page[models.User], error) {
	return c.Users.List(ctx, q)
}

func (c consoleUsers) SetRole(ctx context.Context, actor services.Actor, id uint, role models.Role) (models.User, error) {
	return c.Users.Patch(ctx, actor, id, services.UserPatch{Role: &role})
}

func (c consoleUsers) SetActive(ctx context.Context, actor services.Actor, id uint, active bool) (models.User, error) {
	return c.Users.Patch(ctx, actor, id, services.UserPatch{IsActive: &active})
}

// consoleReports adapts the reports service and the task statuses to the console.
type consoleReports struct {
	reports  *services.Reports
	statuses tasks.Statuses
}

func (c consoleReports) RequestSales(ctx context.Context, actor services.Actor, req services.SalesRequest) (string, error) {
	return c.reports.RequestSales(ctx, actor, req)
}

func (c consoleReports) Stored(ctx context.Context, taskID string) (services.StoredReport, error) {
	return c.reports.Stored(ctx, taskID)
}

func (c consoleReports) WriteCSV(ctx context.Context, rep services.StoredReport, w io.Writer) error {
	return c.reports.WriteCSV(ctx, rep, w)
}

func (c consoleReports) Report(ctx context.Context, taskID string) (console.ReportStatus, error) {
	st, err := c.statuses.Get(ctx, taskID)
	if err != nil {
		return console.ReportStatus{}, err
	}
	out := console.ReportStatus{TaskID: taskID, State: st.State, Error: st.Error}
	if st.Progress != nil {
		out.Progress = *st.Progress
	}
	if st.Name != "" && st.Name != services.TaskSalesReport {
		return console.ReportStatus{}, apperr.NotFound("report")
	}
	if st.State == "SUCCESS" {
		var r tasks.SalesReport
		if err := json.Unmarshal(st.Result, &r); err != nil {
			return console.ReportStatus{}, err
		}
		out.Days, out.Totals = r.Days, r.Totals
	}
	return out, nil
}
