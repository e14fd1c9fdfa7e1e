package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type productCounts202612031100 struct {
	ID          uint  `gorm:"primaryKey;autoIncrement:false"`
	LiveCount   int64 `gorm:"not null"`
	ActiveCount int64 `gorm:"not null"`
}

func (productCounts202612031100) TableName() string { return "product_counts" }

// productCounts creates the one-row table of the number of live products and of live, active
// ones: the totals of the unfiltered product lists, kept in the transactions that create,
// (de)activate and delete products (decision 0020), so that a list does not count a million
// index entries on every page. It starts from the products already there.
func productCounts() *gormigrate.Migration {
	tables := []schema.Tabler{&productCounts202612031100{}}
	return &gormigrate.Migration{
		ID: "202612031100_product_counts",
		Migrate: func(tx *gorm.DB) error {
			if err := createTables(tx, tables...); err != nil {
				return err
			}
			return tx.Exec("INSERT INTO product_counts (id, live_count, active_count) "+
				"SELECT 1, COUNT(*), COALESCE(SUM(CASE WHEN is_active = ? THEN 1 ELSE 0 END), 0) FROM products WHERE deleted_at = 0", true).Error
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
