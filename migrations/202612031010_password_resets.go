package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type passwordReset202612031010 struct {
	ID        uint       `gorm:"primaryKey"`
	UserID    uint       `gorm:"not null;index:ix_password_resets_user"`
	TokenHash string     `gorm:"size:64;not null;uniqueIndex:ux_password_resets_token_hash"`
	ExpiresAt time.Time  `gorm:"precision:6;not null"`
	UsedAt    *time.Time `gorm:"precision:6"`
	CreatedAt time.Time  `gorm:"precision:6;not null"`
}

func (passwordReset202612031010) TableName() string { return "password_resets" }

// passwordResets creates the password reset tokens: only their SHA-256 is kept, each is used
// once and expires soon (auth.password_reset_ttl).
func passwordResets() *gormigrate.Migration {
	tables := []schema.Tabler{&passwordReset202612031010{}}
	return &gormigrate.Migration{
		ID: "202612031010_password_resets",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
