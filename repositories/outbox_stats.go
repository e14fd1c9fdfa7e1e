package repositories

import (
	"context"

	"gorm.io/gorm"

	"tienda/models"
)

// OutboxStats reads the size of the outbox for monitoring; it never changes a row.
type OutboxStats struct {
	db *gorm.DB
}

// NewOutboxStats returns the outbox statistics reader on db.
func NewOutboxStats(db *gorm.DB) OutboxStats { return OutboxStats{db: db} }

// Backlog counts the outbox rows that are not finished (states pending and sent), by state, in
// one query that the (state, due_at) index answers.
func (r OutboxStats) Backlog(ctx context.Context) (map[string]int64, error) {
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
