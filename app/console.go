package app

import (
	"context"
	"encoding/json"

	"tienda/apperr"
	"tienda/console"
	"tienda/controllers/dto"
	"tienda/models"
	"tienda/services"
	"tienda/tasks"
)

// consoleCatalogue adapts the products service to the console: the same validation (the API's
// request rules and messages) and the same service calls as the API.
type consoleCatalogue struct {
	*services.Products
}

func (c consoleCatalogue) List(ctx context.Context, actor services.Actor, q services.ProductQuery) (services.Page[models.Product], error) {
	return c.Products.List(ctx, actor, q)
}

func (c consoleCatalogue) Create(ctx context.Context, actor services.Actor, in services.ProductInput) (models.Product, error) {
	req := productRequest(in)
	if err := req.Validate(); err != nil {
		return models.Product{}, err
	}
	return c.Products.Create(ctx, actor, req.Input())
}

func (c consoleCatalogue) Replace(ctx context.Context, actor services.Actor, id uint, in services.ProductInput) (models.Product, error) {
	req := productRequest(in)
	if err := req.Validate(); err != nil {
		return models.Product{}, err
	}
	return c.Products.Replace(ctx, actor, id, req.Input())
}

func (c consoleCatalogue) SetActive(ctx context.Context, actor services.Actor, id uint, active bool) (models.Product, error) {
	return c.Products.Patch(ctx, actor, id, services.ProductPatch{IsActive: &active})
}

func (c consoleCatalogue) Delete(ctx context.Context, actor services.Actor, id uint) error {
	return c.Products.Delete(ctx, actor, id)
}

func (c consoleCatalogue) AdjustStock(ctx context.Context, actor services.Actor, id uint, delta int64) (models.Product, error) {
	return c.Products.AdjustStock(ctx, actor, id, delta)
}

func productRequest(in services.ProductInput) dto.ProductRequest {
	return dto.ProductRequest{
		SKU: in.SKU, Name: in.Name, Description: in.Description,
		PriceCents: &in.PriceCents, Stock: &in.Stock, IsActive: &in.IsActive,
	}
}

// consoleUsers adapts the users service to the console's users page.
type consoleUsers struct {
	*services.Users
}

func (c consoleUsers) List(ctx context.Context, _ services.Actor, q services.UserQuery) (services.Page[models.User], error) {
	return c.Users.List(ctx, q)
}

func (c consoleUsers) SetRole(ctx context.Context, _ services.Actor, id uint, role models.Role) (models.User, error) {
	name := string(role)
	req := dto.UserPatchRequest{Role: &name}
	if err := req.Validate(); err != nil {
		return models.User{}, err
	}
	return c.Users.Patch(ctx, id, req.Patch())
}

func (c consoleUsers) SetActive(ctx context.Context, _ services.Actor, id uint, active bool) (models.User, error) {
	return c.Users.Patch(ctx, id, services.UserPatch{IsActive: &active})
}

// consoleReports adapts the reports service and the task statuses to the console.
type consoleReports struct {
	reports  *services.Reports
	statuses tasks.Statuses
}

func (c consoleReports) RequestSales(ctx context.Context, actor services.Actor, req services.SalesRequest) (string, error) {
	return c.reports.RequestSales(ctx, actor, req)
}

func (c consoleReports) Report(ctx context.Context, taskID string) (console.ReportStatus, error) {
	st, err := c.statuses.Get(ctx, taskID)
	if err != nil {
		return console.ReportStatus{}, err
	}
	out := console.ReportStatus{TaskID: taskID, State: st.State, Error: st.Error}
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
