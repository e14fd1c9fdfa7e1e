package repositories

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tienda/models"
)

// Outbox is the repository of background jobs recorded with the changes they are about.
type Outbox struct {
	db   *gorm.DB
	prep *prepared
}

// NewOutbox returns the outbox repository on db.
func NewOutbox(db *gorm.DB) Outbox { return Outbox{db: db} }

// Add records jobs in the current transaction. Every order adds one, so on MySQL the INSERT is
// written out and prepared (the jobs' ids are not read back: nobody needs them in the request).
func (r Outbox) Add(ctx context.Context, msgs []models.OutboxMessage) error {
	if r.prep != nil && len(msgs) > 0 {
		now := r.db.NowFunc()
		args := make([]any, 0, 11*len(msgs))
		for _, m := range msgs {
			args = append(args, m.Task, m.OrderID, m.Recipient, m.Payload, m.State, m.DueAt, m.Attempts, m.TaskUUID, m.LastError, now, now)
		}
		_, ok, err := r.prep.insert(ctx, r.db, "INSERT INTO outbox (task, order_id, recipient, payload, state, due_at, attempts, task_uuid, last_error, created_at, updated_at) VALUES "+
			rowsOf(len(msgs), 11), args...)
		if ok {
			return err
		}
	}
	return translate(r.db.WithContext(ctx).Create(&msgs).Error)
}

// Due returns up to limit jobs to hand to the queue now: new ones, and sent ones whose task has
// not finished by their deadline. Oldest first.
func (r Outbox) Due(ctx context.Context, now time.Time, limit int) ([]models.OutboxMessage, error) {
	var msgs []models.OutboxMessage
	err := r.db.WithContext(ctx).
		Where("state IN ? AND due_at <= ?", []string{models.OutboxPending, models.OutboxSent}, now).
		Order("due_at").Order("id").Limit(limit).Find(&msgs).Error
	return msgs, translate(err)
}

// Claim marks m as sent, with a deadline for its task to finish, if nobody else has claimed it
// since it was read (its state and attempt count are unchanged). It reports whether this caller
// owns the send.
func (r Outbox) Claim(ctx context.Context, m models.OutboxMessage, now, deadline time.Time) (bool, error) {
	res := r.db.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND state = ? AND attempts = ?", m.ID, m.State, m.Attempts).
		Updates(map[string]any{
			"state":    models.OutboxSent,
			"attempts": m.Attempts + 1,
			"sent_at":  now,
			"due_at":   deadline,
		})
	return res.RowsAffected == 1, translate(res.Error)
}

// Postpone puts a job whose hand-off failed back in line at until, with its attempt count
// restored to attempts.
func (r Outbox) Postpone(ctx context.Context, id uint, attempts int64, until time.Time, reason string) error {
	return r.set(ctx, id, map[string]any{
		"state": models.OutboxPending, "attempts": attempts, "due_at": until, "last_error": truncate(reason, 500),
	})
}

// Fail gives a job up.
func (r Outbox) Fail(ctx context.Context, id uint, reason string) error {
	return r.set(ctx, id, map[string]any{"state": models.OutboxFailed, "last_error": truncate(reason, 500)})
}

// Complete marks a job done (its task finished).
func (r Outbox) Complete(ctx context.Context, id uint, now time.Time) error {
	return r.set(ctx, id, map[string]any{"state": models.OutboxDone, "completed_at": now})
}

func (r Outbox) set(ctx context.Context, id uint, changes map[string]any) error {
	return translate(r.db.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id = ?", id).Updates(changes).Error)
}

// Get returns a job.
func (r Outbox) Get(ctx context.Context, id uint) (models.OutboxMessage, error) {
	var m models.OutboxMessage
	err := r.db.WithContext(ctx).Where("id = ?", id).Take(&m).Error
	return m, translate(err)
}

// ByTaskUUID returns the job whose task has the given UUID.
func (r Outbox) ByTaskUUID(ctx context.Context, uuid string) (models.OutboxMessage, error) {
	var m models.OutboxMessage
	err := r.db.WithContext(ctx).Where("task_uuid = ?", uuid).Take(&m).Error
	return m, translate(err)
}

// Backlog counts the jobs not finished yet (states pending and sent), by state, in one query
// that the (state, due_at) index answers. It is read by the metrics at each scrape.
func (r Outbox) Backlog(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	err := r.db.WithContext(ctx).Model(&models.OutboxMessage{}).
		Select("state, COUNT(*) AS n").
		Where("state IN ?", []string{models.OutboxPending, models.OutboxSent}).
		Group("state").
		Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
