package tasks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"

	"tienda/apperr"
	"tienda/database"
	"tienda/mail"
	"tienda/models"
	"tienda/repositories"
	"tienda/services"
)

// Handlers are the task functions. Each takes the ID of the outbox job it runs for, is
// idempotent (it records what it sent under a key that names the message and sends nothing twice)
// and marks the job done when it finishes.
type Handlers struct {
	Store *repositories.Store
	Mail  mail.Mailer
	Now   func() time.Time
	Log   *slog.Logger
	// ReportTTL is how long a stored report stays downloadable (tasks.result_ttl).
	ReportTTL time.Duration
	// ReportURL is the path of report id's CSV download.
	ReportURL func(id string) string
	// ResetTTL is how long an emailed password reset token works; ResetURL, when set, is the
	// page the email links to (the token appended as ?token=).
	ResetTTL time.Duration
	ResetURL string
	// Lease is how long a task may hold the right to send one message before another run may
	// take it over (longer than one SMTP delivery may take).
	Lease time.Duration

	tmpl *mail.Templates
}

// NewHandlers returns the task functions with their templates loaded.
func NewHandlers(h Handlers) (*Handlers, error) {
	t, err := mail.LoadTemplates()
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	h.tmpl = t
	return &h, nil
}

// Functions maps task names to the functions machinery runs.
func (h *Handlers) Functions() map[string]any {
	return map[string]any{
		services.TaskOrderConfirmation: h.OrderConfirmation,
		services.TaskOrderCancelled:    h.OrderCancelled,
		services.TaskLowStockAlert:     h.LowStockAlert,
		services.TaskSalesReport:       h.SalesReport,
		services.TaskPasswordReset:     h.PasswordReset,
	}
}

// OrderConfirmation emails the customer their order.
func (h *Handlers) OrderConfirmation(ctx context.Context, outboxID int64) error {
	return h.run(ctx, outboxID, func(m models.OutboxMessage) error {
		return h.orderEmail(ctx, m, "order_confirmation", "Your order #%d")
	})
}

// OrderCancelled tells the customer their order was cancelled.
func (h *Handlers) OrderCancelled(ctx context.Context, outboxID int64) error {
	return h.run(ctx, outboxID, func(m models.OutboxMessage) error {
		return h.orderEmail(ctx, m, "order_cancelled", "Your order #%d was cancelled")
	})
}

type orderData struct {
	Name    string
	OrderID uint
	Total   string
	Items   []itemData
}

type itemData struct {
	SKU, Name, Unit, Line string
	Quantity              int64
}

func (h *Handlers) orderEmail(ctx context.Context, m models.OutboxMessage, tmpl, subject string) error {
	if m.OrderID == nil {
		return fmt.Errorf("outbox job %d has no order", m.ID)
	}
	return h.deliver(ctx, fmt.Sprintf("%s:%d", tmpl, *m.OrderID), func() (mail.Email, error) {
		o, err := h.Store.Orders.GetWithItems(ctx, *m.OrderID)
		if err != nil {
			return mail.Email{}, fmt.Errorf("order %d: %w", *m.OrderID, err)
		}
		name, err := h.Store.Users.FullNameOf(ctx, o.UserID)
		if err != nil {
			return mail.Email{}, err
		}
		data := orderData{Name: name, OrderID: o.ID, Total: mail.Money(o.TotalCents)}
		for _, it := range o.Items {
			data.Items = append(data.Items, itemData{
				SKU: it.SKU, Name: it.Name, Quantity: it.Quantity,
				Unit: mail.Money(it.UnitPriceCents), Line: mail.Money(it.LineTotalCents),
			})
		}
		e := mail.Email{To: []string{m.Recipient}, Subject: fmt.Sprintf(subject, o.ID)}
		return e, h.tmpl.Render(tmpl, data, &e)
	})
}

// LowStockAlert emails every active admin that a product fell below the threshold. One job is
// recorded per crossing, so each crossing is told once.
func (h *Handlers) LowStockAlert(ctx context.Context, outboxID int64) error {
	return h.run(ctx, outboxID, func(m models.OutboxMessage) error {
		var p struct {
			ProductID uint  `json:"product_id"`
			Stock     int64 `json:"stock"`
			Threshold int64 `json:"threshold"`
		}
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			return fmt.Errorf("outbox job %d: %w: %w", m.ID, errPermanent, err)
		}
		admins, err := h.Store.Users.ActiveAdminEmails(ctx)
		if err != nil || len(admins) == 0 {
			return err
		}
		return h.deliver(ctx, fmt.Sprintf("low_stock:%d", m.ID), func() (mail.Email, error) {
			product, err := h.Store.Products.GetAny(ctx, p.ProductID)
			if err != nil {
				return mail.Email{}, fmt.Errorf("product %d: %w", p.ProductID, err)
			}
			e := mail.Email{To: admins, Subject: fmt.Sprintf("Low stock: %s (%s)", product.Name, product.SKU)}
			return e, h.tmpl.Render("low_stock", map[string]any{
				"Name": product.Name, "SKU": product.SKU, "ProductID": product.ID,
				"Stock": p.Stock, "Threshold": p.Threshold,
			}, &e)
		})
	})
}

// PasswordReset makes a reset token for the job's user, stores its hash and emails the token.
// The token exists only in the email: it is made when the message is built, so a run that sends
// nothing leaves at most an unused hash behind.
func (h *Handlers) PasswordReset(ctx context.Context, outboxID int64) error {
	return h.run(ctx, outboxID, func(m models.OutboxMessage) error {
		var p struct {
			UserID uint `json:"user_id"`
		}
		if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
			return fmt.Errorf("outbox job %d: %w: %w", m.ID, errPermanent, err)
		}
		return h.deliver(ctx, fmt.Sprintf("password_reset:%d", m.ID), func() (mail.Email, error) {
			name, err := h.Store.Users.FullNameOf(ctx, p.UserID)
			if err != nil {
				return mail.Email{}, err
			}
			raw := make([]byte, 32)
			_, _ = rand.Read(raw)
			token := base64.RawURLEncoding.EncodeToString(raw)
			reset := models.PasswordReset{UserID: p.UserID, TokenHash: services.HashResetToken(token), ExpiresAt: h.Now().Add(h.ResetTTL)}
			if err := h.Store.Resets.Create(ctx, &reset); err != nil {
				return mail.Email{}, err
			}
			data := map[string]any{"Name": name, "Token": token, "Minutes": int(h.ResetTTL.Minutes()), "Link": ""}
			if h.ResetURL != "" {
				data["Link"] = h.ResetURL + "?token=" + token
			}
			e := mail.Email{To: []string{m.Recipient}, Subject: "Reset your tienda password"}
			return e, h.tmpl.Render("password_reset", data, &e)
		})
	})
}

// run loads the job, skips it when it is done, runs fn, and marks it done.
func (h *Handlers) run(ctx context.Context, outboxID int64, fn func(models.OutboxMessage) error) error {
	m, err := h.Store.Outbox.Get(ctx, uint(outboxID))
	if errors.Is(err, repositories.ErrNotFound) {
		h.Log.WarnContext(ctx, "task for an unknown outbox job; nothing to do", "outbox_id", outboxID)
		return nil
	}
	if err != nil {
		return err
	}
	if m.State == models.OutboxDone {
		return nil
	}
	if err := fn(m); err != nil {
		if permanent(err) {
			return h.giveUp(ctx, m, err)
		}
		return err
	}
	return h.Store.Outbox.Complete(ctx, m.ID, h.Now())
}

// errPermanent marks an error that no rerun can cure (a job whose payload does not parse).
var errPermanent = errors.New("the job cannot succeed")

// permanent reports whether err means the job can never succeed: its payload is malformed or
// fails the rules of the request that made it (a validation error).
func permanent(err error) bool {
	if errors.Is(err, errPermanent) {
		return true
	}
	ae, ok := apperr.As(err)
	return ok && (ae.Code == apperr.CodeValidation || ae.Code == apperr.CodeBadRequest)
}

// giveUp fails a job that cannot succeed, at once and visibly: the outbox row is marked failed
// (the relay never hands it out again) and machinery is told not to retry, so the task's state
// is FAILURE with err, not RETRY or PENDING for minutes.
func (h *Handlers) giveUp(ctx context.Context, m models.OutboxMessage, err error) error {
	h.Log.ErrorContext(ctx, "task cannot succeed; giving it up", "outbox_id", m.ID, "task", m.Task, "error", err)
	if ferr := h.Store.Outbox.Fail(context.WithoutCancel(ctx), m.ID, err.Error()); ferr != nil {
		return ferr // retried: the row must record the failure
	}
	if sig := mtasks.SignatureFromContext(ctx); sig != nil {
		sig.RetryCount = 0
	}
	return err
}

// deliver sends the email build makes, once for key: a message sent before is not sent again,
// and one being sent by another run is retried later.
func (h *Handlers) deliver(ctx context.Context, key string, build func() (mail.Email, error)) error {
	claim, err := h.Store.Deliveries.Claim(ctx, key, h.Now(), h.Lease)
	switch {
	case err != nil:
		return err
	case claim == repositories.AlreadySent:
		return nil
	case claim == repositories.Busy:
		return mtasks.NewErrRetryTaskLater("another run is sending "+key, h.Lease)
	}
	e, err := build()
	if err == nil {
		e.ID = mail.MessageID(key)
		err = h.Mail.Send(ctx, e)
	}
	if errors.Is(err, mail.ErrOutcomeUnknown) {
		// Most likely delivered: a second copy is worse than the small chance of none. The
		// message is recorded as unknown and never sent again (see README, Background tasks).
		h.Log.WarnContext(ctx, "email handed over but its outcome is unknown; not sending it again", "key", key, "error", err)
		return h.Store.Deliveries.MarkUnknown(context.WithoutCancel(ctx), key, h.Now())
	}
	if err != nil {
		if rerr := h.Store.Deliveries.Release(context.WithoutCancel(ctx), key); rerr != nil {
			h.Log.WarnContext(ctx, "release delivery claim", "key", key, "error", rerr)
		}
		return err
	}
	return h.markSent(context.WithoutCancel(ctx), key)
}

// markSent records that the message named key went out. The email is gone already: were the
// record lost to a broken database connection, the claim would run out and a rerun of the task
// would send the email again. So a lost connection is retried a few times over about a second
// (the update is idempotent), well within the lease.
func (h *Handlers) markSent(ctx context.Context, key string) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
		err = h.Store.Deliveries.MarkSent(ctx, key, h.Now())
		if !database.ConnectionLost(err) {
			return err
		}
	}
	return err
}

// SalesReport builds the daily sales totals between the job's from and to dates (inclusive),
// stores them in the database a slice of the range at a time, with the report's progress, and
// returns the totals and the download URL as JSON, the task's result. The report is marked
// complete in the same transaction as its job (docs/decisions/0018-report-storage.md).
func (h *Handlers) SalesReport(ctx context.Context, outboxID int64) (string, error) {
	var result string
	err := h.run(ctx, outboxID, func(m models.OutboxMessage) error {
		var req services.SalesRequest
		if err := json.Unmarshal([]byte(m.Payload), &req); err != nil {
			return fmt.Errorf("outbox job %d: %w: %w", m.ID, errPermanent, err)
		}
		report, err := h.salesReport(ctx, req, m)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(report)
		result = string(raw)
		return err
	})
	return result, err
}

// SalesReport is the result of build_sales_report.
type SalesReport struct {
	From   string                  `json:"from"`
	To     string                  `json:"to"`
	Days   []repositories.SalesDay `json:"days"`
	Totals repositories.SalesDay   `json:"totals"`
	URL    string                  `json:"url"`
}

// reportSteps is how many slices of its range a report is built in: its progress moves this
// many times.
const reportSteps = 20

func (h *Handlers) salesReport(ctx context.Context, req services.SalesRequest, m models.OutboxMessage) (SalesReport, error) {
	from, to, err := req.Range()
	if err != nil {
		return SalesReport{}, err
	}
	id := m.TaskUUID
	err = h.Store.Reports.Start(ctx, models.Report{TaskUUID: id, FromDay: req.From, ToDay: req.To, ExpiresAt: h.Now().Add(h.ReportTTL)})
	if err != nil {
		return SalesReport{}, err
	}
	r := SalesReport{From: req.From, To: req.To, Days: []repositories.SalesDay{}, Totals: repositories.SalesDay{Day: "total"}, URL: h.ReportURL(id)}
	days := int(to.Sub(from) / (24 * time.Hour))
	step := max(1, (days+reportSteps-1)/reportSteps)
	for start := 0; start < days; start += step {
		end := min(start+step, days)
		part, err := h.Store.Reports.SalesByDay(ctx, from.AddDate(0, 0, start), from.AddDate(0, 0, end))
		if err != nil {
			return SalesReport{}, err
		}
		// The last slice's progress is set by Complete, with the job: 100 means done.
		if err := h.Store.Reports.AddDays(ctx, id, part, min(99, end*100/days)); err != nil {
			return SalesReport{}, err
		}
		for _, d := range part {
			r.Totals.Orders += d.Orders
			r.Totals.Items += d.Items
			r.Totals.RevenueCents += d.RevenueCents
		}
		r.Days = append(r.Days, part...)
	}
	now := h.Now()
	return r, h.Store.InTx(ctx, func(tx *repositories.Store) error {
		if err := tx.Reports.Complete(ctx, id, r.Totals, now, now.Add(h.ReportTTL)); err != nil {
			return err
		}
		return tx.Outbox.Complete(ctx, m.ID, now)
	})
}
