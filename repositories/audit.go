package repositories

import (
	"context"

	"gorm.io/gorm"

	"tienda/listing"
	"tienda/models"
)

// Audit is the repository of the audit log.
type Audit struct {
	Repo[models.AuditEntry]
}

// NewAudit returns the audit log repository on db.
func NewAudit(db *gorm.DB) Audit {
	return Audit{NewRepo[models.AuditEntry](db, listing.AuditSorts, map[string]string{
		"id": "id", "created_at": "created_at",
	})}
}

// Search returns one page of the entries f selects and how many it selects in all.
func (r Audit) Search(ctx context.Context, f listing.AuditFilter, opts listing.Options) ([]models.AuditEntry, int64, error) {
	return r.List(ctx, func(q *gorm.DB) *gorm.DB {
		if f.ActorID != 0 {
			q = q.Where("actor_id = ?", f.ActorID)
		}
		if f.Entity != "" {
			q = q.Where("entity = ?", f.Entity)
		}
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		return q
	}, opts)
}
