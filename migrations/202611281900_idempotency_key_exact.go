package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// idempotencyKeyExact makes idempotency_keys.idem_key compare case-sensitively on every engine.
// The table was made with the case-insensitive collation that the email and SKU columns need,
// so on MySQL/MariaDB and SQL Server "Key-A" and "key-a" were one key: the second request got
// the first one's order back (or a 409), where SQLite, which compares text exactly, placed a
// second order. An Idempotency-Key is an opaque client token; two that differ are two keys.
//
// Trailing spaces still compare equal on MySQL (PAD SPACE) and SQL Server (ANSI padding); HTTP
// servers strip them from header values before the service sees them.
//
// SQL Server cannot change the collation of an indexed column, so its unique index is dropped
// and made again around the change.
func idempotencyKeyExact() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202611281900_idempotency_key_exact",
		Migrate: func(tx *gorm.DB) error {
			return setIdemKeyCollation(tx, "utf8mb4_bin", "Latin1_General_100_BIN2")
		},
		Rollback: func(tx *gorm.DB) error {
			return setIdemKeyCollation(tx, "", "")
		},
	}
}

// setIdemKeyCollation gives idem_key the collation named for the engine, or the table's (or
// database's) default when the name is "".
func setIdemKeyCollation(tx *gorm.DB, mysql, sqlserver string) error {
	switch tx.Dialector.Name() {
	case "mysql":
		column := "varchar(128) NOT NULL"
		if mysql != "" {
			column = "varchar(128) CHARACTER SET utf8mb4 COLLATE " + mysql + " NOT NULL"
		}
		return tx.Exec("ALTER TABLE idempotency_keys MODIFY idem_key " + column).Error
	case "sqlserver":
		column := "nvarchar(128) NOT NULL"
		if sqlserver != "" {
			column = "nvarchar(128) COLLATE " + sqlserver + " NOT NULL"
		}
		for _, stmt := range []string{
			`DROP INDEX "ux_idempotency_keys_user_key" ON "idempotency_keys"`,
			`ALTER TABLE "idempotency_keys" ALTER COLUMN "idem_key" ` + column,
			`CREATE UNIQUE INDEX "ux_idempotency_keys_user_key" ON "idempotency_keys"("user_id","idem_key")`,
		} {
			if err := tx.Exec(stmt).Error; err != nil {
				return err
			}
		}
	}
	return nil // SQLite compares text byte for byte
}
