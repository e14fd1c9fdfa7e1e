package services

import (
	"context"
	"time"

	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// SalesDay is one day of sales: orders, units and revenue.
type SalesDay = repositories.SalesDay

// DashboardDays is how many days of revenue the dashboard charts, today included.
const DashboardDays = 30

// Dashboard reads the figures of the back-office console's first page.
type Dashboard struct {
	store    *repositories.Store
	now      func() time.Time
	lowStock int64
}

// NewDashboard returns the dashboard service; lowStock is the threshold at or under which a
// product is listed as running out.
func NewDashboard(store *repositories.Store, now func() time.Time, lowStock int64) *Dashboard {
	return &Dashboard{store: store, now: now, lowStock: lowStock}
}

// DashboardSummary is what the dashboard shows. Days has one entry per day, oldest first, today
// last, days without orders included with zeros; cancelled orders count nowhere.
type DashboardSummary struct {
	Today             repositories.SalesDay
	Days              []repositories.SalesDay
	LowStockThreshold int64
	LowStock          []models.Product
	// Backlog counts the outbox jobs not finished yet, Failed those given up.
	Backlog int64
	Failed  int64
	Latest  []models.Order
}

// Summary returns the dashboard's figures, in UTC days.
func (s *Dashboard) Summary(ctx context.Context) (DashboardSummary, error) {
	today := s.now().UTC().Truncate(24 * time.Hour)
	from := today.AddDate(0, 0, 1-DashboardDays)
	sales, err := s.store.Reports.SalesByDay(ctx, from, today.AddDate(0, 0, 1))
	if err != nil {
		return DashboardSummary{}, err
	}
	byDay := make(map[string]repositories.SalesDay, len(sales))
	for _, d := range sales {
		byDay[d.Day] = d
	}
	sum := DashboardSummary{Days: make([]repositories.SalesDay, DashboardDays), LowStockThreshold: s.lowStock}
	for i := range DashboardDays {
		day := from.AddDate(0, 0, i).Format(time.DateOnly)
		d, ok := byDay[day]
		if !ok {
			d = repositories.SalesDay{Day: day}
		}
		sum.Days[i] = d
	}
	sum.Today = sum.Days[DashboardDays-1]
	if sum.LowStock, err = s.store.Products.LowStock(ctx, s.lowStock, 10); err != nil {
		return DashboardSummary{}, err
	}
	backlog, err := s.store.Outbox.Backlog(ctx)
	if err != nil {
		return DashboardSummary{}, err
	}
	for _, n := range backlog {
		sum.Backlog += n
	}
	if sum.Failed, err = s.store.Outbox.CountState(ctx, models.OutboxFailed); err != nil {
		return DashboardSummary{}, err
	}
	latest := listing.Options{Page: 1, PageSize: 5, Sort: []listing.Sort{{Field: "created_at", Desc: true}}}
	if sum.Latest, _, err = s.store.Orders.Search(ctx, listing.OrderFilter{}, latest); err != nil {
		return DashboardSummary{}, err
	}
	return sum, nil
}
