package repositories

import (
	"context"

	"gorm.io/gorm"
)

// AdjustStock adds delta (negative to take units away) to the stock of a live product, in one
// conditional UPDATE that refuses to take the stock below zero or above most. It reports whether
// the stock changed; false also when there is no such product.
func (r Products) AdjustStock(ctx context.Context, id uint, delta, most int64) (bool, error) {
	res := r.DB(ctx).Where("id = ? AND stock + ? >= 0 AND stock + ? <= ?", id, delta, delta, most).
		Update("stock", gorm.Expr("stock + ?", delta))
	return res.RowsAffected == 1, translate(res.Error)
}
