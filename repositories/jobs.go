package repositories

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tienda/listing"
	"tienda/models"
)

// Jobs lists the outbox's jobs for the console (Outbox serves the relay).
type Jobs struct {
	Repo[models.OutboxMessage]
}

// NewJobs returns the jobs repository on db.
func NewJobs(db *gorm.DB) Jobs {
	return Jobs{NewRepo[models.OutboxMessage](db, listing.JobSorts, map[string]string{
		"id": "id", "created_at": "created_at",
	})}
}

// Search returns one page of the jobs in state ("" for any), and how many there are.
func (r Jobs) Search(ctx context.Context, state string, opts listing.Options) ([]models.OutboxMessage, int64, error) {
	return r.List(ctx, func(q *gorm.DB) *gorm.DB {
		if state != "" {
			q = q.Where("state = ?", state)
		}
		return q
	}, opts)
}

// Requeue puts a failed job back in line, due at now, with its attempts counted from zero. It
// reports whether the job was failed (and is now pending).
func (r Jobs) Requeue(ctx context.Context, id uint, now time.Time) (bool, error) {
	res := r.DB(ctx).Where("id = ? AND state = ?", id, models.OutboxFailed).Updates(map[string]any{
		"state": models.OutboxPending, "attempts": 0, "due_at": now,
	})
	return res.RowsAffected == 1, translate(res.Error)
}
