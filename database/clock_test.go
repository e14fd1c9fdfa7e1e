package database_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"tienda/apptest/dbtest"
	"tienda/database"
	"tienda/models"
)

// TestWithClockStampsRows: rows written through WithClock carry the injected clock's time (in
// UTC microseconds), not the wall clock's, on every engine.
func TestWithClockStampsRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		at := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
		want := at.UTC().Truncate(time.Microsecond)
		p := models.Product{SKU: "CLOCK-1", Name: "clock", PriceCents: 1, IsActive: true}
		if err := database.WithClock(db, func() time.Time { return at }).WithContext(context.Background()).Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		var got models.Product
		if err := db.Where("id = ?", p.ID).Take(&got).Error; err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(want) || !got.UpdatedAt.Equal(want) {
			t.Fatalf("stamped %v / %v, want %v", got.CreatedAt, got.UpdatedAt, want)
		}
	})
}
