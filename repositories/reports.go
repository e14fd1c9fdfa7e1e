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

// Start records a report being built for task id: any earlier attempt's report and days are
// deleted, and the report starts again at progress 0. Run it in a transaction (Store.InTx).
func (r Reports) Start(ctx context.Context, rep models.Report) error {
	db := r.db.WithContext(ctx)
	if err := db.Where("task_uuid = ?", rep.TaskUUID).Delete(&models.ReportRow{}).Error; err != nil {
		return translate(err)
	}
	if err := db.Where("task_uuid = ?", rep.TaskUUID).Delete(&models.Report{}).Error; err != nil {
		return translate(err)
	}
	return translate(db.Create(&rep).Error)
}

// AddDays stores days of report id and sets its progress.
func (r Reports) AddDays(ctx context.Context, id string, days []SalesDay, progress int) error {
	if len(days) > 0 {
		rows := make([]models.ReportRow, len(days))
		for i, d := range days {
			rows[i] = models.ReportRow{TaskUUID: id, Day: d.Day, Orders: d.Orders, Items: d.Items, RevenueCents: d.RevenueCents}
		}
		if err := r.db.WithContext(ctx).CreateInBatches(&rows, 500).Error; err != nil {
			return translate(err)
		}
	}
	return translate(r.db.WithContext(ctx).Model(&models.Report{}).Where("task_uuid = ?", id).
		Update("progress", progress).Error)
}

// Complete records report id's totals, marks it complete at now and sets when it expires.
func (r Reports) Complete(ctx context.Context, id string, totals SalesDay, now, expires time.Time) error {
	res := r.db.WithContext(ctx).Model(&models.Report{}).Where("task_uuid = ?", id).Updates(map[string]any{
		"progress": 100, "orders": totals.Orders, "items": totals.Items, "revenue_cents": totals.RevenueCents,
		"completed_at": now, "expires_at": expires,
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return translate(res.Error)
}

// Get returns report id (complete or not), or ErrNotFound.
func (r Reports) Get(ctx context.Context, id string) (models.Report, error) {
	var rep models.Report
	err := r.db.WithContext(ctx).Where("task_uuid = ?", id).Take(&rep).Error
	return rep, translate(err)
}

// EachDay calls fn with the days of report id in order, reading them row by row, so that a long
// report is never held in memory whole. It stops at fn's first error and returns it.
func (r Reports) EachDay(ctx context.Context, id string, fn func(SalesDay) error) error {
	rows, err := r.db.WithContext(ctx).Model(&models.ReportRow{}).
		Select("day, orders, items, revenue_cents").
		Where("task_uuid = ?", id).Order("day").Rows()
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d SalesDay
		if err := rows.Scan(&d.Day, &d.Orders, &d.Items, &d.RevenueCents); err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// Purge deletes the reports that expired before now, with their days, and returns how many.
func (r Reports) Purge(ctx context.Context, now time.Time) (int64, error) {
	db := r.db.WithContext(ctx)
	expired := db.Model(&models.Report{}).Select("task_uuid").Where("expires_at < ?", now)
	if err := db.Where("task_uuid IN (?)", expired).Delete(&models.ReportRow{}).Error; err != nil {
		return 0, translate(err)
	}
	res := db.Where("expires_at < ?", now).Delete(&models.Report{})
	return res.RowsAffected, translate(res.Error)
}
