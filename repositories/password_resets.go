package repositories

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tienda/models"
)

// PasswordResets is the repository of password reset tokens (their hashes).
type PasswordResets struct {
	db *gorm.DB
}

// NewPasswordResets returns the repository on db.
func NewPasswordResets(db *gorm.DB) PasswordResets { return PasswordResets{db: db} }

// Create records a reset token's hash.
func (r PasswordResets) Create(ctx context.Context, p *models.PasswordReset) error {
	return translate(r.db.WithContext(ctx).Create(p).Error)
}

// Use marks the unused, unexpired token with hash as used at now and returns its row, or
// ErrNotFound. The conditional update makes it single-use even when two requests race.
func (r PasswordResets) Use(ctx context.Context, hash string, now time.Time) (models.PasswordReset, error) {
	var p models.PasswordReset
	if err := r.db.WithContext(ctx).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now).Take(&p).Error; err != nil {
		return p, translate(err)
	}
	res := r.db.WithContext(ctx).Model(&models.PasswordReset{}).
		Where("id = ? AND used_at IS NULL", p.ID).Update("used_at", now)
	if res.Error != nil {
		return p, translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return p, ErrNotFound
	}
	return p, nil
}

// Purge deletes the tokens that expired before now and returns how many.
func (r PasswordResets) Purge(ctx context.Context, now time.Time) (int64, error) {
	res := r.db.WithContext(ctx).Where("expires_at < ?", now).Delete(&models.PasswordReset{})
	return res.RowsAffected, translate(res.Error)
}
