package repositories_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"tienda/apptest/dbtest"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// TestProductCountsFollowTheRows checks the counters of the unfiltered lists against COUNT(*)
// after creates, (de)activations, no-op patches and deletes, each in its own transaction.
func TestProductCountsFollowTheRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		store := repositories.NewStore(db)
		check := func(step string) {
			t.Helper()
			live, active, err := store.Products.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var wantLive, wantActive int64
			db.Model(&models.Product{}).Count(&wantLive)
			db.Model(&models.Product{}).Where("is_active = ?", true).Count(&wantActive)
			if live != wantLive || active != wantActive {
				t.Fatalf("%s: counters live %d, active %d; rows live %d, active %d", step, live, active, wantLive, wantActive)
			}
		}
		inTx := func(fn func(tx *repositories.Store) error) {
			t.Helper()
			if err := store.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		check("empty")
		for i := range 9 {
			inTx(func(tx *repositories.Store) error {
				return tx.Products.Create(ctx, &models.Product{SKU: fmt.Sprintf("C-%d", i), Name: "P", PriceCents: 1, Stock: 1, IsActive: i%3 != 0})
			})
		}
		check("created")
		yes, no := true, false
		for _, p := range []struct {
			id     uint
			active *bool
		}{{1, &yes}, {2, &no}, {2, &no}, {3, &no}, {1, &no}, {4, nil}} {
			name := "renamed"
			inTx(func(tx *repositories.Store) error {
				return tx.Products.Patch(ctx, p.id, repositories.ProductPatch{IsActive: p.active, Name: &name})
			})
			check(fmt.Sprintf("patched %d", p.id))
		}
		for _, id := range []uint{2, 5, 7} {
			inTx(func(tx *repositories.Store) error { return tx.Products.Delete(ctx, id) })
			check(fmt.Sprintf("deleted %d", id))
		}
		if err := store.InTx(ctx, func(tx *repositories.Store) error { return tx.Products.Delete(ctx, 2) }); !errors.Is(err, repositories.ErrNotFound) {
			t.Fatalf("deleting a deleted product: %v, want ErrNotFound", err)
		}
		check("deleted twice")
	})
}

// TestProductPagesFromBothEnds checks that every page of every sort, the ones read backwards
// from the end included, is the slice of the whole ordered list that the page number says.
func TestProductPagesFromBothEnds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		store := repositories.NewStore(db)
		const n = 23
		for i := range n {
			err := store.InTx(ctx, func(tx *repositories.Store) error {
				// Few distinct names and prices, so that the id tie-break matters.
				return tx.Products.Create(ctx, &models.Product{SKU: fmt.Sprintf("P-%02d", i), Name: fmt.Sprintf("N%d", i%4),
					PriceCents: int64(100 * (i % 5)), Stock: int64(i % 2), IsActive: i%6 != 0})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		yes := true
		minPrice := int64(100)
		for _, f := range []listing.ProductFilter{{}, {Active: &yes}, {MinPriceCents: &minPrice}, {Q: "n1"}} {
			for _, sort := range [][]listing.Sort{nil, {{Field: "name"}}, {{Field: "price_cents", Desc: true}}, {{Field: "id", Desc: true}}} {
				all, total, err := store.Products.Search(ctx, f, listing.Options{Page: 1, PageSize: 100, Sort: sort})
				if err != nil {
					t.Fatal(err)
				}
				if int(total) != len(all) {
					t.Fatalf("filter %+v: total %d, %d rows", f, total, len(all))
				}
				for _, size := range []int{1, 3, 5, 20} {
					for page := 1; (page-1)*size <= len(all); page++ {
						got, _, err := store.Products.Search(ctx, f, listing.Options{Page: page, PageSize: size, Sort: sort})
						if err != nil {
							t.Fatal(err)
						}
						want := all[min((page-1)*size, len(all)):min(page*size, len(all))]
						if !slices.EqualFunc(got, want, func(a, b models.Product) bool { return a.ID == b.ID }) {
							t.Fatalf("filter %+v, sort %v, page %d of %d: got %v, want %v", f, sort, page, size, ids(got), ids(want))
						}
					}
				}
			}
		}
	})
}

func ids(ps []models.Product) []uint {
	out := make([]uint, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
