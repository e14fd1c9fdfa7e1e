package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// productsListingIndex indexes (deleted_at, is_active): every product list filters on both, and
// because the index also carries the primary key, the list's COUNT is answered from the index
// and its page (ORDER BY id with OFFSET) walks the index, not the table.
func productsListingIndex() *gormigrate.Migration {
	const name = "ix_products_live_active"
	return &gormigrate.Migration{
		ID: "202611281800_products_listing_index",
		Migrate: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX " + name + " ON products (deleted_at, is_active)").Error
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropIndex("products", name)
		},
	}
}
