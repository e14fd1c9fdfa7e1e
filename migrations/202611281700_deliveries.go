package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type delivery202611281700 struct {
	ID         uint       `gorm:"primaryKey"`
	DedupeKey  string     `gorm:"size:128;not null;uniqueIndex:ux_deliveries_dedupe_key"`
	State      string     `gorm:"size:16;not null"`
	LeaseUntil time.Time  `gorm:"precision:6;not null"`
	Attempts   int64      `gorm:"not null;default:1"`
	SentAt     *time.Time `gorm:"precision:6"`
	CreatedAt  time.Time  `gorm:"precision:6;not null"`
	UpdatedAt  time.Time  `gorm:"precision:6;not null"`
}

func (delivery202611281700) TableName() string { return "deliveries" }

// deliveries creates the record of messages sent by the background tasks: a task claims a
// message's key before sending and marks it sent after, so that a repeated run sends nothing
// twice.
func deliveries() *gormigrate.Migration {
	tables := []schema.Tabler{&delivery202611281700{}}
	return &gormigrate.Migration{
		ID: "202611281700_deliveries",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
