package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type report202612031000 struct {
	TaskUUID     string     `gorm:"column:task_uuid;size:36;primaryKey"`
	FromDay      string     `gorm:"size:10;not null"`
	ToDay        string     `gorm:"size:10;not null"`
	Progress     int        `gorm:"not null;default:0"`
	Orders       int64      `gorm:"not null;default:0"`
	Items        int64      `gorm:"not null;default:0"`
	RevenueCents int64      `gorm:"not null;default:0"`
	CompletedAt  *time.Time `gorm:"precision:6"`
	ExpiresAt    time.Time  `gorm:"precision:6;not null;index:ix_reports_expires_at"`
	CreatedAt    time.Time  `gorm:"precision:6;not null"`
	UpdatedAt    time.Time  `gorm:"precision:6;not null"`
}

func (report202612031000) TableName() string { return "reports" }

type reportRow202612031000 struct {
	TaskUUID     string `gorm:"column:task_uuid;size:36;primaryKey"`
	Day          string `gorm:"size:10;primaryKey"`
	Orders       int64  `gorm:"not null"`
	Items        int64  `gorm:"not null"`
	RevenueCents int64  `gorm:"not null"`
}

func (reportRow202612031000) TableName() string { return "report_rows" }

// reports creates the stored sales reports (docs/decisions/0018-report-storage.md): one row per
// report with its progress and totals, and one row per day of it, which every serve process
// reads to answer the CSV download.
func reports() *gormigrate.Migration {
	tables := []schema.Tabler{&report202612031000{}, &reportRow202612031000{}}
	return &gormigrate.Migration{
		ID: "202612031000_reports",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
