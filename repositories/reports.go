package repositories

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tienda/models"
)

// SalesDay is one day of the sales report.
type SalesDay struct {
	Day          string `json:"day"` // YYYY-MM-DD, UTC
	Orders       int64  `json:"orders"`
	Items        int64  `json:"items"`
	RevenueCents int64  `json:"revenue_cents"`
}

// Reports runs the reporting queries.
type Reports struct {
	db *gorm.DB
}

// NewReports returns the reports repository on db.
func NewReports(db *gorm.DB) Reports { return Reports{db: db} }

// dayOf is the SQL that turns orders.created_at into its UTC date as YYYY-MM-DD text.
func dayOf(dialect string) string {
	switch dialect {
	case "mysql":
		return "DATE_FORMAT(o.created_at, '%Y-%m-%d')"
	case "sqlserver":
		return "CONVERT(char(10), o.created_at, 23)"
	}
	return "substr(o.created_at, 1, 10)" // SQLite stores fixed-width UTC text
}

// SalesByDay totals orders, units and revenue per day in [from, to), cancelled orders excluded,
// computed by the database in one query.
func (r Reports) SalesByDay(ctx context.Context, from, to time.Time) ([]SalesDay, error) {
	day := dayOf(r.db.Dialector.Name())
	items := r.db.WithContext(ctx).Table("order_items").
		Select("order_id, SUM(quantity) AS units").Group("order_id")
	var days []SalesDay
	err := r.db.WithContext(ctx).Table("orders AS o").
		Select(day+" AS day, COUNT(*) AS orders, SUM(i.units) AS items, SUM(o.total_cents) AS revenue_cents").
		Joins("JOIN (?) AS i ON i.order_id = o.id", items).
		Where("o.status <> ? AND o.created_at >= ? AND o.created_at < ?", models.OrderCancelled, from, to).
		Group(day).Order("day").
		Scan(&days).Error
	return days, translate(err)
}
