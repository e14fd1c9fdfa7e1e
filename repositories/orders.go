package repositories

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tienda/listing"
	"tienda/models"
)

// Search returns one page of the orders f selects (without their items), and how many it
// selects in all.
func (r Orders) Search(ctx context.Context, f listing.OrderFilter, opts listing.Options) ([]models.Order, int64, error) {
	return r.List(ctx, orderScope(f), opts)
}

// orderScope turns f into WHERE conditions.
func orderScope(f listing.OrderFilter) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if f.UserID != 0 {
			q = q.Where("user_id = ?", f.UserID)
		}
		if f.Status != "" {
			q = q.Where("status = ?", f.Status)
		}
		if !f.PlacedFrom.IsZero() {
			q = q.Where("created_at >= ?", f.PlacedFrom)
		}
		if !f.PlacedBefore.IsZero() {
			q = q.Where("created_at < ?", f.PlacedBefore)
		}
		return q
	}
}

// Orders is the orders repository; it also moves stock, which only orders do.
type Orders struct {
	Repo[models.Order]
}

// NewOrders returns the orders repository on db.
func NewOrders(db *gorm.DB) Orders {
	return Orders{NewRepo[models.Order](db, listing.OrderSorts, map[string]string{
		"id": "id", "created_at": "created_at", "total_cents": "total_cents",
	})}
}

// TakeStock takes qty units of a live, active product if it has them, in one conditional
// UPDATE (no read-then-write, no SELECT ... FOR UPDATE, which SQL Server rejects). It reports
// whether the product had them; the row stays locked until the transaction ends.
func (r Orders) TakeStock(ctx context.Context, productID uint, qty int64) (bool, error) {
	return r.TakeStocks(ctx, []StockTake{{ProductID: productID, Quantity: qty}})
}

// StockTake is one line of an order: a product and the units it takes.
type StockTake struct {
	ProductID uint
	Quantity  int64
}

// TakeStocks takes the units of every line in one conditional UPDATE, whatever the number of
// lines: a row changes only if its product is live, active and has the quantity, and the lines
// are taken only if every row changed (it reports false otherwise, with some rows changed: the
// caller rolls the transaction back). The lines must name distinct products. The engines scan
// the primary key in order, so concurrent orders lock their rows in id order.
//
// It runs in every order, so its SQL is written out (see queryRow).
func (r Orders) TakeStocks(ctx context.Context, lines []StockTake) (bool, error) {
	n := len(lines)
	args := make([]any, 0, 6*n+2)
	for _, l := range lines {
		args = append(args, l.ProductID, l.Quantity)
	}
	args = append(args, r.db.NowFunc())
	for _, l := range lines {
		args = append(args, l.ProductID)
	}
	args = append(append(args, true), args[:2*n]...)
	when := "CASE id" + strings.Repeat(" WHEN ? THEN ?", n) + " END"
	changed, err := r.exec(ctx, "UPDATE products SET stock = stock - "+when+", updated_at = ? "+
		"WHERE id IN (?"+strings.Repeat(",?", n-1)+") AND is_active = ? AND deleted_at = 0 AND stock >= "+when, args...)
	return changed == int64(n), err
}

// ReturnStock gives qty units back to a product, deleted or not.
func (r Orders) ReturnStock(ctx context.Context, productID uint, qty int64) error {
	return translate(r.db.WithContext(ctx).Unscoped().Model(&models.Product{}).
		Where("id = ?", productID).
		Update("stock", gorm.Expr("stock + ?", qty)).Error)
}

// Products returns the ID, SKU, name and price (what an order line copies) and the stock
// (after this order took its units: it decides the low-stock alert) of the live products with
// the given ids. It runs in every order, so its SQL is written out (see queryRow).
func (r Orders) Products(ctx context.Context, ids []uint) ([]models.Product, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	query := "SELECT id, sku, name, price_cents, stock FROM products WHERE id IN " + rowsOf(1, len(ids)) + " AND deleted_at = 0"
	rows, release, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer release()
	defer rows.Close()
	ps := make([]models.Product, 0, len(ids))
	for rows.Next() {
		var p models.Product
		if err := rows.Scan(&p.ID, &p.SKU, &p.Name, &p.PriceCents, &p.Stock); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, translate(rows.Err())
}

// GetWithItems returns an order with its items.
func (r Orders) GetWithItems(ctx context.Context, id uint) (models.Order, error) {
	var o models.Order
	err := r.db.WithContext(ctx).Preload("Items", orderItemsByID).Where("id = ?", id).Take(&o).Error
	return o, translate(err)
}

// ListWithItems returns a page of orders with their items: three queries (count, page, items of
// the page) whatever the page size.
func (r Orders) ListWithItems(ctx context.Context, f listing.OrderFilter, opts listing.Options) ([]models.Order, int64, error) {
	orders, total, err := r.Search(ctx, f, opts)
	if err != nil || len(orders) == 0 {
		return orders, total, err
	}
	ids := make([]uint, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	var items []models.OrderItem
	if err := r.db.WithContext(ctx).Where("order_id IN ?", ids).Order("id").Find(&items).Error; err != nil {
		return nil, 0, translate(err)
	}
	byOrder := make(map[uint][]models.OrderItem, len(orders))
	for _, it := range items {
		byOrder[it.OrderID] = append(byOrder[it.OrderID], it)
	}
	for i := range orders {
		orders[i].Items = byOrder[orders[i].ID]
	}
	return orders, total, nil
}

func orderItemsByID(db *gorm.DB) *gorm.DB { return db.Order("id") }

// Transition moves an order from one of the statuses in from to status to, in one conditional
// UPDATE; with owner non-zero, only that user's order moves. It reports whether the order moved,
// so that of two concurrent transitions exactly one wins.
func (r Orders) Transition(ctx context.Context, id uint, owner uint, from []models.OrderStatus, to models.OrderStatus) (bool, error) {
	q := r.DB(ctx).Where("id = ? AND status IN ?", id, from)
	if owner != 0 {
		q = q.Where("user_id = ?", owner)
	}
	res := q.Update("status", to)
	return res.RowsAffected == 1, translate(res.Error)
}

// FindKey returns the unexpired idempotency key of a user, or ErrNotFound.
func (r Orders) FindKey(ctx context.Context, userID uint, key string, now time.Time) (models.IdempotencyKey, error) {
	var k models.IdempotencyKey
	err := r.db.WithContext(ctx).
		Where("user_id = ? AND idem_key = ? AND expires_at > ?", userID, key, now).
		Take(&k).Error
	return k, translate(err)
}

// ClaimKey records an idempotency key for a new order. A live record of the same key makes it
// fail with ErrDuplicate (on MySQL and SQL Server after waiting for the transaction that holds
// it); an expired one is replaced.
func (r Orders) ClaimKey(ctx context.Context, k *models.IdempotencyKey) error {
	err := r.db.WithContext(ctx).
		Where("user_id = ? AND idem_key = ? AND expires_at <= ?", k.UserID, k.Key, k.CreatedAt).
		Delete(&models.IdempotencyKey{}).Error
	if err != nil {
		return translate(err)
	}
	return translate(r.db.WithContext(ctx).Create(k).Error)
}

// SetKeyOrder points a claimed key at the order it made.
func (r Orders) SetKeyOrder(ctx context.Context, keyID, orderID uint) error {
	return translate(r.db.WithContext(ctx).Model(&models.IdempotencyKey{}).
		Where("id = ?", keyID).Update("order_id", orderID).Error)
}

// PurgeKeys deletes the idempotency keys that expired before now, at most limit of them, and
// returns how many it deleted.
func (r Orders) PurgeKeys(ctx context.Context, now time.Time, limit int) (int64, error) {
	var ids []uint
	err := r.db.WithContext(ctx).Model(&models.IdempotencyKey{}).
		Where("expires_at <= ?", now).Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, translate(err)
	}
	res := r.db.WithContext(ctx).Where("id IN ?", ids).Delete(&models.IdempotencyKey{})
	return res.RowsAffected, translate(res.Error)
}

// Insert adds an order and its items: two INSERTs, the items in one batch. On MySQL both are
// written out and prepared (they run in every order); the items' ids follow the first one, as
// GORM also assumes for a multi-row insert.
func (r Orders) Insert(ctx context.Context, o *models.Order) error {
	if r.prep != nil && len(o.Items) > 0 {
		now := r.db.NowFunc()
		if o.CreatedAt.IsZero() {
			o.CreatedAt = now
		}
		if o.UpdatedAt.IsZero() {
			o.UpdatedAt = now
		}
		id, ok, err := r.insert(ctx, "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) VALUES (?,?,?,?,?)",
			o.UserID, o.Status, o.TotalCents, o.CreatedAt, o.UpdatedAt)
		if err != nil {
			return err
		}
		if ok {
			o.ID = id
			args := make([]any, 0, 7*len(o.Items))
			for _, it := range o.Items {
				args = append(args, o.ID, it.ProductID, it.SKU, it.Name, it.Quantity, it.UnitPriceCents, it.LineTotalCents)
			}
			first, ok, err := r.insert(ctx, "INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents, line_total_cents) VALUES "+
				rowsOf(len(o.Items), 7), args...)
			if ok {
				for i := range o.Items {
					o.Items[i].ID, o.Items[i].OrderID = first+uint(i), o.ID //nolint:gosec // i < 50
				}
				return err
			}
			return r.insertItems(ctx, o)
		}
	}
	if err := r.db.WithContext(ctx).Omit(clause.Associations).Create(o).Error; err != nil {
		return translate(err)
	}
	return r.insertItems(ctx, o)
}

// insertItems inserts an order's items through GORM, in one batch.
func (r Orders) insertItems(ctx context.Context, o *models.Order) error {
	for i := range o.Items {
		o.Items[i].OrderID = o.ID
	}
	return translate(r.db.WithContext(ctx).Create(&o.Items).Error)
}
