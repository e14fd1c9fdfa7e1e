package repositories

import (
	"context"

	"tienda/models"
)

// LowStock returns up to limit live, active products whose stock is at or under threshold,
// emptiest first.
func (r Products) LowStock(ctx context.Context, threshold int64, limit int) ([]models.Product, error) {
	items := []models.Product{}
	err := r.DB(ctx).Where("is_active = ? AND stock <= ?", true, threshold).
		Order("stock").Order("id").Limit(limit).Find(&items).Error
	return items, translate(err)
}

// CountState counts the jobs in state.
func (r Outbox) CountState(ctx context.Context, state string) (int64, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&models.OutboxMessage{}).Where("state = ?", state).Count(&n).Error
	return n, translate(err)
}
