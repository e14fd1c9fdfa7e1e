package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// userTokenVersion202611281500 is the frozen shape of the column this migration adds.
type userTokenVersion202611281500 struct {
	TokenVersion int64 `gorm:"not null;default:0"`
}

func (userTokenVersion202611281500) TableName() string { return "users" }

// userTokenVersion adds users.token_version: tokens carry it, and bumping it (on a password
// change) revokes every token issued before.
//
// SQL Server refuses to drop a column that has a default constraint, and names such constraints
// at random unless told; so there the constraint is named, and dropped first on rollback.
func userTokenVersion() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202611281500_user_token_version",
		Migrate: func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "sqlserver" {
				return tx.Exec(`ALTER TABLE users ADD token_version bigint NOT NULL CONSTRAINT df_users_token_version DEFAULT 0`).Error
			}
			return tx.Migrator().AddColumn(&userTokenVersion202611281500{}, "TokenVersion")
		},
		Rollback: func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "sqlserver" {
				return tx.Exec(`ALTER TABLE users DROP CONSTRAINT df_users_token_version; ALTER TABLE users DROP COLUMN token_version`).Error
			}
			return tx.Migrator().DropColumn(&userTokenVersion202611281500{}, "TokenVersion")
		},
	}
}
