package services

import (
	"context"
	"errors"
	"time"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// AuditJobRequeue is the audited action of queueing a failed job again.
const AuditJobRequeue = "job.requeue"

// Jobs lets an operator see the outbox's background jobs and queue a failed one again.
type Jobs struct {
	store *repositories.Store
	now   func() time.Time
}

// NewJobs returns the jobs service.
func NewJobs(store *repositories.Store, now func() time.Time) *Jobs {
	return &Jobs{store: store, now: now}
}

// JobStates are the states a job can be in.
var JobStates = []string{models.OutboxPending, models.OutboxSent, models.OutboxDone, models.OutboxFailed}

// List returns a page of jobs in state ("" for every state).
func (s *Jobs) List(ctx context.Context, state string, opts listing.Options) (Page[models.OutboxMessage], error) {
	items, total, err := s.store.Jobs.Search(ctx, state, opts)
	if err != nil {
		return Page[models.OutboxMessage]{}, err
	}
	return newPage(items, total, opts), nil
}

// Requeue puts a failed job back in line; the relay hands it to the queue again. Only a failed
// job can be requeued: any other is a conflict (it is still being worked on, or done). actor
// is who asks (an admin in the console).
func (s *Jobs) Requeue(ctx context.Context, actor Actor, id uint) (models.OutboxMessage, error) {
	var m models.OutboxMessage
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		before, err := tx.Outbox.Get(ctx, id)
		if err != nil {
			return err
		}
		ok, err := tx.Jobs.Requeue(ctx, id, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("job %d is %s: only a failed job can be queued again", id, before.State)
		}
		if m, err = tx.Outbox.Get(ctx, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditJobRequeue, id, map[string]any{"state": before.State, "attempts": before.Attempts},
			map[string]any{"state": m.State, "attempts": m.Attempts})
	})
	if errors.Is(err, repositories.ErrNotFound) {
		return models.OutboxMessage{}, apperr.NotFound("job")
	}
	return m, err
}
