package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type auditEntry202612021100 struct {
	ID       uint   `gorm:"primaryKey"`
	ActorID  uint   `gorm:"not null;index:ix_audit_log_actor,priority:1"`
	Action   string `gorm:"size:64;not null;index:ix_audit_log_action,priority:1"`
	Entity   string `gorm:"size:32;not null;index:ix_audit_log_entity,priority:1"`
	EntityID string `gorm:"size:64;not null;index:ix_audit_log_entity,priority:2"`
	// Before and After are JSON documents; unsized (not indexed), they hold a whole row.
	Before    string
	After     string
	CreatedAt time.Time `gorm:"precision:6;not null;index:ix_audit_log_created"`
}

func (auditEntry202612021100) TableName() string { return "audit_log" }

// auditLog creates the audit log: one row per change an admin makes, written in the change's
// own transaction.
func auditLog() *gormigrate.Migration {
	tables := []schema.Tabler{&auditEntry202612021100{}}
	return &gormigrate.Migration{
		ID: "202612021100_audit_log",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
