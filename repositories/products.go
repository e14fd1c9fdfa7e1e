package repositories

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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
//
// Its cost does not grow with the catalogue for the unfiltered lists (all live products, or the
// active ones customers see), the first page and the last (decision 0020): their total is the
// counter kept by Create, Patch and Delete (Counts), not a COUNT; the page's ids are read alone
// from an index and only the page's rows are joined back to them (a "deferred join"); and a
// page past the middle is read from the end in the reverse order, so that no page skips more
// than half the rows. A filtered list counts what it selects.
func (r Products) Search(ctx context.Context, f listing.ProductFilter, opts listing.Options) ([]models.Product, int64, error) {
	total, err := r.total(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	items := []models.Product{}
	offset := int64(opts.Offset())
	if offset >= total {
		return items, total, nil
	}
	limit, reverse := int64(opts.PageSize), false
	if n := min(limit, total-offset); offset+n/2 > total/2 {
		// Past the middle: skip the rows after the page rather than those before it.
		limit, offset, reverse = n, total-offset-n, true
	}
	var rows *sql.Rows
	if st, release, ok := r.defaultPage(ctx, f, opts.Sort, reverse); ok { //nolint:sqlclosecheck // release closes it
		defer release()
		rows, err = st.QueryContext(ctx, limit, offset)
	} else {
		ids := r.DB(ctx).Select("id").Scopes(productScope(f)).
			Order(r.orderOn("", opts.Sort, reverse)).Limit(int(limit)).Offset(int(offset))
		rows, err = r.db.WithContext(ctx).Table("products p").Select(prefixed("p.", productColumns)).
			Joins("JOIN (?) k ON k.id = p.id", ids).Order(r.orderOn("p", opts.Sort, false)).Rows()
	}
	if err != nil {
		return nil, 0, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p models.Product
		if err := rows.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents, &p.Stock, &p.IsActive, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, 0, err
		}
		items = append(items, p)
	}
	return items, total, translate(rows.Err())
}

// defaultPage returns the prepared statement (MySQL) of the page query of the busiest lists:
// no filter but is_active=true (what customers see) and the default order (id), from the start
// or, with reverse, from the end. Its arguments are LIMIT and OFFSET. ok is false for any other
// list, or where statements are not prepared: GORM builds the same query then.
func (r Products) defaultPage(ctx context.Context, f listing.ProductFilter, sorts []listing.Sort, reverse bool) (*sql.Stmt, func(), bool) {
	if r.prep == nil || len(sorts) > 0 && (len(sorts) != 1 || sorts[0] != listing.Sort{Field: "id"}) ||
		f.Active == nil || !*f.Active || f.Q != "" || f.MinPriceCents != nil || f.MaxPriceCents != nil || f.InStock != nil {
		return nil, nil, false
	}
	dir := ""
	if reverse {
		dir = " DESC"
	}
	return r.prep.stmt(ctx, r.db, "SELECT "+prefixed("p.", productColumns)+" FROM products p JOIN (SELECT id FROM products"+
		" WHERE is_active = 1 AND deleted_at = 0 ORDER BY id"+dir+" LIMIT ? OFFSET ?) k ON k.id = p.id ORDER BY p.id")
}

// total is how many products f selects: the counter for the unfiltered lists, else a COUNT.
func (r Products) total(ctx context.Context, f listing.ProductFilter) (int64, error) {
	if f.Q == "" && f.MinPriceCents == nil && f.MaxPriceCents == nil && f.InStock == nil && (f.Active == nil || *f.Active) {
		live, active, err := r.Counts(ctx)
		if f.Active == nil {
			return live, err
		}
		return active, err
	}
	var total int64
	err := r.DB(ctx).Scopes(productScope(f)).Count(&total).Error
	return total, translate(err)
}

// orderOn is the ORDER BY of a product list on table (empty: unqualified), reversed if asked.
func (r Products) orderOn(table string, sorts []listing.Sort, reverse bool) clause.OrderBy {
	by := r.orderBy(sorts)
	by.Columns = slices.Clone(by.Columns)
	for i := range by.Columns {
		by.Columns[i].Column.Table = table
		by.Columns[i].Desc = by.Columns[i].Desc != reverse
	}
	return by
}

// Counts returns the number of live products and of live, active ones, from the counter row
// that Create, Patch and Delete keep in their transactions.
func (r Products) Counts(ctx context.Context) (live, active int64, err error) {
	err = r.queryRow(ctx, "SELECT live_count, active_count FROM product_counts WHERE id = 1", nil, &live, &active)
	return live, active, err
}

// count adds to the counters; it runs in the transaction of the change it counts.
func (r Products) count(ctx context.Context, live, active int64) error {
	return translate(r.db.WithContext(ctx).Exec(
		"UPDATE product_counts SET live_count = live_count + ?, active_count = active_count + ? WHERE id = 1", live, active).Error)
}

// Create inserts a product and counts it. It must run in a transaction, with the service's
// other writes, so that the counters never disagree with the rows.
func (r Products) Create(ctx context.Context, p *models.Product) error {
	if err := r.Repo.Create(ctx, p); err != nil {
		return err
	}
	return r.count(ctx, 1, activeCount(p.IsActive))
}

// Delete soft-deletes a live product and uncounts it, or returns ErrNotFound: the active one
// first, then an inactive one, so that the counter follows without reading the row. In a
// transaction, as Create.
func (r Products) Delete(ctx context.Context, id uint) error {
	for _, active := range []bool{true, false} {
		res := r.db.WithContext(ctx).Where("id = ? AND is_active = ?", id, active).Delete(&models.Product{})
		if res.Error != nil {
			return translate(res.Error)
		}
		if res.RowsAffected == 1 {
			return r.count(ctx, -1, -activeCount(active))
		}
	}
	return ErrNotFound
}

func activeCount(active bool) int64 {
	if active {
		return 1
	}
	return 0
}

func prefixed(prefix, columns string) string {
	return prefix + strings.ReplaceAll(columns, ", ", ", "+prefix)
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
	err := r.queryRow(ctx, "SELECT "+productColumns+" FROM products WHERE id = ? AND deleted_at = 0", []any{id},
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
// A change of is_active is made first, by a conditional UPDATE that tells whether it flipped, and
// moves the active counter. In a transaction, as Create.
func (r Products) Patch(ctx context.Context, id uint, p ProductPatch) error {
	if p.IsActive != nil {
		res := r.DB(ctx).Where("id = ? AND is_active = ?", id, !*p.IsActive).Update("is_active", *p.IsActive)
		if res.Error != nil {
			return translate(res.Error)
		}
		if res.RowsAffected == 1 {
			if err := r.count(ctx, 0, 2*activeCount(*p.IsActive)-1); err != nil {
				return err
			}
		}
	}
	return r.Update(ctx, id, p.columns())
}
