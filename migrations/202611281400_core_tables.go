package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// The structs below are frozen copies of the schema as this migration creates it. They must not
// change when the models do: a later change is a later migration.

type user202611281400 struct {
	ID           uint      `gorm:"primaryKey"`
	Email        nocase    `gorm:"size:254;not null;uniqueIndex:ux_users_email_live,priority:1"`
	PasswordHash string    `gorm:"size:100;not null"`
	FullName     string    `gorm:"size:200;not null"`
	Role         string    `gorm:"size:16;not null;index:ix_users_role"`
	IsActive     bool      `gorm:"not null;index:ix_users_is_active"`
	CreatedAt    time.Time `gorm:"precision:6;not null;index:ix_users_created_at"`
	UpdatedAt    time.Time `gorm:"precision:6;not null"`
	DeletedAt    uint64    `gorm:"not null;default:0;uniqueIndex:ux_users_email_live,priority:2"`
}

func (user202611281400) TableName() string { return "users" }

type product202611281400 struct {
	ID          uint      `gorm:"primaryKey"`
	SKU         nocase    `gorm:"column:sku;size:64;not null;uniqueIndex:ux_products_sku_live,priority:1"`
	Name        string    `gorm:"size:200;not null;index:ix_products_name"`
	Description string    `gorm:"size:2000;not null"`
	PriceCents  int64     `gorm:"not null;index:ix_products_price_cents;check:ck_products_price_cents,price_cents >= 0"`
	Stock       int64     `gorm:"not null;index:ix_products_stock;check:ck_products_stock,stock >= 0"`
	IsActive    bool      `gorm:"not null;index:ix_products_is_active"`
	CreatedAt   time.Time `gorm:"precision:6;not null;index:ix_products_created_at"`
	UpdatedAt   time.Time `gorm:"precision:6;not null"`
	DeletedAt   uint64    `gorm:"not null;default:0;uniqueIndex:ux_products_sku_live,priority:2"`
}

func (product202611281400) TableName() string { return "products" }

type order202611281400 struct {
	ID         uint             `gorm:"primaryKey"`
	UserID     uint             `gorm:"not null;index:ix_orders_user_id"`
	User       user202611281400 `gorm:"foreignKey:UserID;constraint:fk_orders_user,OnDelete:NO ACTION"`
	Status     string           `gorm:"size:16;not null;index:ix_orders_status"`
	TotalCents int64            `gorm:"not null;index:ix_orders_total_cents;check:ck_orders_total_cents,total_cents >= 0"`
	CreatedAt  time.Time        `gorm:"precision:6;not null;index:ix_orders_created_at"`
	UpdatedAt  time.Time        `gorm:"precision:6;not null"`
}

func (order202611281400) TableName() string { return "orders" }

type orderItem202611281400 struct {
	ID             uint                `gorm:"primaryKey"`
	OrderID        uint                `gorm:"not null;index:ix_order_items_order_id"`
	Order          order202611281400   `gorm:"foreignKey:OrderID;constraint:fk_order_items_order,OnDelete:CASCADE"`
	ProductID      uint                `gorm:"not null;index:ix_order_items_product_id"`
	Product        product202611281400 `gorm:"foreignKey:ProductID;constraint:fk_order_items_product,OnDelete:NO ACTION"`
	SKU            string              `gorm:"column:sku;size:64;not null"`
	Name           string              `gorm:"size:200;not null"`
	Quantity       int64               `gorm:"not null;check:ck_order_items_quantity,quantity > 0"`
	UnitPriceCents int64               `gorm:"not null"`
	LineTotalCents int64               `gorm:"not null"`
}

func (orderItem202611281400) TableName() string { return "order_items" }

// coreTables creates users, products, orders and order_items.
func coreTables() *gormigrate.Migration {
	tables := []schema.Tabler{&user202611281400{}, &product202611281400{}, &order202611281400{}, &orderItem202611281400{}}
	return &gormigrate.Migration{
		ID: "202611281400_core_tables",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return dropTables(tx, tables...)
		},
	}
}
