package services

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/repositories"
)

// TaskSalesReport is the task that builds a sales report.
const TaskSalesReport = "build_sales_report"

// MaxReportDays bounds the span of one sales report; MinReportYear and MaxReportYear bound its
// dates, so that no date arithmetic of the report (the day after to) leaves the calendar that
// the databases and the CSV name can hold (9999-12-31 rolled into year 10000).
const (
	MaxReportDays = 3660
	MinReportYear = 1970
	MaxReportYear = 2999
)

// Reports starts report tasks.
type Reports struct {
	store *repositories.Store
	now   func() time.Time
}

// NewReports returns the reports service.
func NewReports(store *repositories.Store, now func() time.Time) *Reports {
	return &Reports{store: store, now: now}
}

// SalesRequest asks for daily sales totals between two dates, both included.
type SalesRequest struct {
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`
}

var errOutOfRange = errors.New("out of range")

// Range returns [from 00:00 UTC, the day after to 00:00 UTC), or a validation error.
func (r SalesRequest) Range() (time.Time, time.Time, error) {
	var c apperr.Checker
	from, ferr := time.Parse(time.DateOnly, r.From)
	to, terr := time.Parse(time.DateOnly, r.To)
	c.Check(ferr == nil, "from", "must be a date like 2026-11-01")
	c.Check(terr == nil, "to", "must be a date like 2026-11-30")
	inYears := func(d time.Time) bool { return d.Year() >= MinReportYear && d.Year() <= MaxReportYear }
	years := fmt.Sprintf("must be a date in the years %d..%d", MinReportYear, MaxReportYear)
	if ferr == nil && !inYears(from) {
		c.Add("from", "%s", years)
		ferr = errOutOfRange
	}
	if terr == nil && !inYears(to) {
		c.Add("to", "%s", years)
		terr = errOutOfRange
	}
	if ferr == nil && terr == nil {
		c.Check(!to.Before(from), "to", "must not be before from")
		c.Check(to.Sub(from) <= MaxReportDays*24*time.Hour, "to", fmt.Sprintf("must be at most %d days after from", MaxReportDays))
	}
	if err := c.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from, to.AddDate(0, 0, 1), nil
}

// RequestSales records a sales report job and returns the ID of the task that will build it.
// The job goes through the outbox like every other, so the request survives a queue outage.
func (s *Reports) RequestSales(ctx context.Context, actor Actor, req SalesRequest) (string, error) {
	if _, _, err := req.Range(); err != nil {
		return "", err
	}
	m := job(TaskSalesReport, nil, actor.Email, map[string]any{"from": req.From, "to": req.To}, s.now())
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		if err := tx.Outbox.Add(ctx, []models.OutboxMessage{m}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditReportRequest, m.TaskUUID, nil, map[string]any{"task_id": m.TaskUUID, "from": req.From, "to": req.To})
	})
	if err != nil {
		return "", err
	}
	return m.TaskUUID, nil
}

// StoredReport is a complete sales report as the database keeps it (its days are read row by
// row by WriteCSV).
type StoredReport struct {
	TaskID string
	From   string
	To     string
	Totals SalesDay
}

// FileName is the report's CSV file name as a download offers it.
func (r StoredReport) FileName() string {
	return fmt.Sprintf("sales_%s_%s.csv", r.From, r.To)
}

// Stored returns the complete, unexpired report that task id built, or not_found (also while it
// is being built).
func (s *Reports) Stored(ctx context.Context, id string) (StoredReport, error) {
	rep, err := s.store.Reports.Get(ctx, id)
	if errors.Is(err, repositories.ErrNotFound) || err == nil && (rep.CompletedAt == nil || !s.now().Before(rep.ExpiresAt)) {
		return StoredReport{}, apperr.NotFound("report")
	}
	if err != nil {
		return StoredReport{}, err
	}
	return StoredReport{TaskID: id, From: rep.FromDay, To: rep.ToDay, Totals: SalesDay{
		Day: "total", Orders: rep.Orders, Items: rep.Items, RevenueCents: rep.RevenueCents,
	}}, nil
}

// ReportCSVHeader is the first line of a sales report's CSV.
var ReportCSVHeader = []string{"day", "orders", "items", "revenue_cents"}

// WriteCSV writes rep as CSV to w: the header, one line per day as the database hands them over
// (never the whole report in memory), then the totals.
func (s *Reports) WriteCSV(ctx context.Context, rep StoredReport, w io.Writer) error {
	cw := csv.NewWriter(w)
	line := func(d SalesDay) error {
		return cw.Write([]string{d.Day, strconv.FormatInt(d.Orders, 10), strconv.FormatInt(d.Items, 10), strconv.FormatInt(d.RevenueCents, 10)})
	}
	if err := cw.Write(ReportCSVHeader); err != nil {
		return err
	}
	if err := s.store.Reports.EachDay(ctx, rep.TaskID, line); err != nil {
		return err
	}
	if err := line(rep.Totals); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// PurgeExpired deletes the stored reports whose time is up and returns how many.
func (s *Reports) PurgeExpired(ctx context.Context) (int64, error) {
	return s.store.Reports.Purge(ctx, s.now())
}
