package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type idempotencyKey202611281600 struct {
	ID          uint             `gorm:"primaryKey"`
	UserID      uint             `gorm:"not null;uniqueIndex:ux_idempotency_keys_user_key,priority:1"`
	User        user202611281400 `gorm:"foreignKey:UserID;constraint:fk_idempotency_keys_user,OnDelete:NO ACTION"`
	Key         string           `gorm:"column:idem_key;size:128;not null;uniqueIndex:ux_idempotency_keys_user_key,priority:2"`
	RequestHash string           `gorm:"size:64;not null"`
	OrderID     uint             `gorm:"not null"`
	CreatedAt   time.Time        `gorm:"precision:6;not null"`
	ExpiresAt   time.Time        `gorm:"precision:6;not null;index:ix_idempotency_keys_expires_at"`
}

func (idempotencyKey202611281600) TableName() string { return "idempotency_keys" }

type outbox202611281600 struct {
	ID          uint       `gorm:"primaryKey"`
	Task        string     `gorm:"size:64;not null"`
	OrderID     *uint      `gorm:"index:ix_outbox_order_id"`
	Recipient   string     `gorm:"size:254;not null"`
	Payload     string     `gorm:"size:2000;not null"`
	State       string     `gorm:"size:16;not null;index:ix_outbox_state_due,priority:1"`
	DueAt       time.Time  `gorm:"precision:6;not null;index:ix_outbox_state_due,priority:2"`
	Attempts    int64      `gorm:"not null;default:0"`
	TaskUUID    string     `gorm:"column:task_uuid;size:64;not null;default:''"`
	LastError   string     `gorm:"size:500;not null;default:''"`
	SentAt      *time.Time `gorm:"precision:6"`
	CompletedAt *time.Time `gorm:"precision:6"`
	CreatedAt   time.Time  `gorm:"precision:6;not null"`
	UpdatedAt   time.Time  `gorm:"precision:6;not null"`
}

func (outbox202611281600) TableName() string { return "outbox" }

// ordersSupport creates idempotency_keys (Idempotency-Key of POST /orders, recorded in the
// order's transaction) and outbox (notification jobs written in the same transactions as the
// orders they are about, delivered later by the task relay).
func ordersSupport() *gormigrate.Migration {
	tables := []schema.Tabler{&idempotencyKey202611281600{}, &outbox202611281600{}}
	return &gormigrate.Migration{
		ID: "202611281600_orders_support",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
