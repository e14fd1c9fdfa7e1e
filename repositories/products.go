package repositories

import (
	"context"

	"gorm.io/gorm"

	"tienda/listing"
	"tienda/models"
)

// Products is the products repository.
type Products struct {
	Repo[models.Product]
}

// NewProducts returns the products repository on db.
func NewProducts(db *gorm.DB) Products {
	return Products{NewRepo[models.Product](db, listing.ProductSorts, map[string]string{
		"id": "id", "name": "name", "price_cents": "price_cents", "created_at": "created_at",
	})}
}

// Search returns one page of the products f selects, and how many it selects in all.
func (r Products) Search(ctx context.Context, f listing.ProductFilter, opts listing.Options) ([]models.Product, int64, error) {
	return r.List(ctx, productScope(f), opts)
}

// productScope turns f into WHERE conditions.
func productScope(f listing.ProductFilter) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if f.Q != "" {
			p := containsPattern(f.Q)
			q = q.Where("(name LIKE ? ESCAPE '"+likeEscape+"' OR sku LIKE ? ESCAPE '"+likeEscape+"')", p, p)
		}
		if f.MinPriceCents != nil {
			q = q.Where("price_cents >= ?", *f.MinPriceCents)
		}
		if f.MaxPriceCents != nil {
			q = q.Where("price_cents <= ?", *f.MaxPriceCents)
		}
		if f.InStock != nil {
			if *f.InStock {
				q = q.Where("stock > 0")
			} else {
				q = q.Where("stock = 0")
			}
		}
		if f.Active != nil {
			q = q.Where("is_active = ?", *f.Active)
		}
		return q
	}
}

// GetAny returns a product whether it is deleted or not.
func (r Products) GetAny(ctx context.Context, id uint) (models.Product, error) {
	var p models.Product
	err := r.db.WithContext(ctx).Unscoped().Where("id = ?", id).Take(&p).Error
	return p, translate(err)
}

// productColumns are the columns of models.Product that Get reads, in its Scan order.
const productColumns = "id, sku, name, description, price_cents, stock, is_active, created_at, updated_at"

// Get returns the live product with id, or ErrNotFound. It is GET /products/{id}'s query, the
// hottest of the API, so its SQL is written out and scanned field by field instead of going
// through GORM's query builder and reflective scan, which the load benchmark measured at about
// two thirds of the request's allocations (docs/benchmarks.md).
func (r Products) Get(ctx context.Context, id uint) (models.Product, error) {
	var p models.Product
	err := queryRow(ctx, r.db, "SELECT "+productColumns+" FROM products WHERE id = ? AND deleted_at = 0", []any{id},
		&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents, &p.Stock, &p.IsActive, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// ProductPatch names the fields of a product to change; nil fields stay as they are.
type ProductPatch struct {
	SKU         *string
	Name        *string
	Description *string
	PriceCents  *int64
	Stock       *int64
	IsActive    *bool
}

// Empty reports whether p changes nothing.
func (p ProductPatch) Empty() bool { return len(p.columns()) == 0 }

func (p ProductPatch) columns() map[string]any {
	c := map[string]any{}
	set(c, "sku", p.SKU)
	set(c, "name", p.Name)
	set(c, "description", p.Description)
	set(c, "price_cents", p.PriceCents)
	set(c, "stock", p.Stock)
	set(c, "is_active", p.IsActive)
	return c
}

// Patch applies p to the live product with id (updated_at included), or returns ErrNotFound.
func (r Products) Patch(ctx context.Context, id uint, p ProductPatch) error {
	return r.Update(ctx, id, p.columns())
}
