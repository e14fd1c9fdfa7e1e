package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"tienda/models"
	"tienda/repositories"
)

// Publisher hands a job's task to the queue.
type Publisher interface {
	Publish(ctx context.Context, m models.OutboxMessage) error
}

// Relay moves outbox jobs to the queue. Several relays (in several serve and worker processes)
// may run at once: each job is claimed with a conditional update before it is published, so only
// one relay hands out any job at a time. A claimed job gets a deadline; if its task has not
// marked it done by then (the broker lost it, the worker died), it is due again. A failed
// publish (Redis down) puts the job back in line without counting an attempt.
type Relay struct {
	Outbox    repositories.Outbox
	Publisher Publisher
	Now       func() time.Time
	Log       *slog.Logger
	// Interval between looks at the outbox.
	Interval time.Duration
	// RedeliverAfter is the deadline given to a claimed job's task.
	RedeliverAfter time.Duration
	// MaxAttempts bounds the hand-offs of one job.
	MaxAttempts int64
	// Batch is how many jobs one look hands out at most.
	Batch int
}

// retryPublishAfter is how long a job whose publish failed waits before the next try.
const retryPublishAfter = 2 * time.Second

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		if _, err := r.Tick(ctx); err != nil && ctx.Err() == nil {
			r.Log.WarnContext(ctx, "outbox relay", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick hands out the jobs due now and returns how many it published.
func (r *Relay) Tick(ctx context.Context) (int, error) {
	now := r.Now()
	due, err := r.Outbox.Due(ctx, now, r.Batch)
	if err != nil {
		return 0, err
	}
	published := 0
	for _, m := range due {
		if m.Attempts >= r.MaxAttempts {
			r.Log.ErrorContext(ctx, "outbox job gave up after too many hand-offs",
				"outbox_id", m.ID, "task", m.Task, "attempts", m.Attempts, "last_error", m.LastError)
			if err := r.Outbox.Fail(ctx, m.ID, fmt.Sprintf("not finished after %d hand-offs", m.Attempts)); err != nil {
				return published, err
			}
			continue
		}
		ok, err := r.Outbox.Claim(ctx, m, now, now.Add(r.RedeliverAfter))
		if err != nil {
			return published, err
		}
		if !ok {
			continue // another relay took it
		}
		if m.State == models.OutboxSent {
			r.Log.WarnContext(ctx, "task did not finish in time; handing it out again",
				"outbox_id", m.ID, "task", m.Task, "task_uuid", m.TaskUUID, "attempt", m.Attempts+1)
		}
		if err := r.Publisher.Publish(ctx, m); err != nil {
			// Keep the attempt count as it was: an unreachable queue is not the task's fault.
			if perr := r.Outbox.Postpone(context.WithoutCancel(ctx), m.ID, m.Attempts, now.Add(retryPublishAfter), err.Error()); perr != nil {
				return published, perr
			}
			return published, fmt.Errorf("publish %s (outbox %d): %w", m.Task, m.ID, err)
		}
		published++
	}
	return published, nil
}
