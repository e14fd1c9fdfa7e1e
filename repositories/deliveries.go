package repositories

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"tienda/models"
)

// Claim outcomes.
type Claim int

// What Deliveries.Claim found.
const (
	Claimed     Claim = iota // the caller may send now
	AlreadySent              // sent before: send nothing
	Busy                     // another task holds a live claim: try later
)

// Deliveries records what the background tasks sent.
type Deliveries struct {
	db *gorm.DB
}

// NewDeliveries returns the deliveries repository on db.
func NewDeliveries(db *gorm.DB) Deliveries { return Deliveries{db: db} }

// Claim takes the right to send the message named key until now+lease: a new key is inserted; a
// claim whose lease ran out (its task died) is taken over. Each statement decides atomically, so
// of two tasks with the same key at most one gets Claimed.
func (r Deliveries) Claim(ctx context.Context, key string, now time.Time, lease time.Duration) (Claim, error) {
	db := r.db.WithContext(ctx)
	err := translate(db.Create(&models.Delivery{
		DedupeKey: key, State: models.DeliverySending, LeaseUntil: now.Add(lease), Attempts: 1,
	}).Error)
	if err == nil {
		return Claimed, nil
	}
	if !errors.Is(err, ErrDuplicate) {
		return Busy, err
	}
	res := db.Model(&models.Delivery{}).
		Where("dedupe_key = ? AND state = ? AND lease_until < ?", key, models.DeliverySending, now).
		Updates(map[string]any{"lease_until": now.Add(lease), "attempts": gorm.Expr("attempts + 1")})
	if res.Error != nil {
		return Busy, translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return Claimed, nil
	}
	var d models.Delivery
	if err := db.Where("dedupe_key = ?", key).Take(&d).Error; err != nil {
		return Busy, translate(err)
	}
	if d.State == models.DeliverySent || d.State == models.DeliveryUnknown {
		return AlreadySent, nil
	}
	return Busy, nil
}

// MarkSent records that the message named key went out.
func (r Deliveries) MarkSent(ctx context.Context, key string, now time.Time) error {
	return translate(r.db.WithContext(ctx).Model(&models.Delivery{}).
		Where("dedupe_key = ?", key).
		Updates(map[string]any{"state": models.DeliverySent, "sent_at": now}).Error)
}

// MarkUnknown records that the message named key was handed over whole but its outcome is
// unknown; like a sent one, it is not sent again.
func (r Deliveries) MarkUnknown(ctx context.Context, key string, now time.Time) error {
	return translate(r.db.WithContext(ctx).Model(&models.Delivery{}).
		Where("dedupe_key = ?", key).
		Updates(map[string]any{"state": models.DeliveryUnknown, "sent_at": now}).Error)
}

// Release gives a claim up after a failed send, so that a retry need not wait for the lease.
func (r Deliveries) Release(ctx context.Context, key string) error {
	return translate(r.db.WithContext(ctx).
		Where("dedupe_key = ? AND state = ?", key, models.DeliverySending).
		Delete(&models.Delivery{}).Error)
}
