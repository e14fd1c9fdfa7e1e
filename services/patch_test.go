package services_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"tienda/ratelimit"

	"gorm.io/gorm"

	"tienda/apperr"
	"tienda/apptest/dbtest"
	"tienda/models"
	"tienda/repositories"
	"tienda/services"
)

// The services' rules on real databases (SQLite always, MariaDB when configured): no mocks.

// system is the actor of the changes these tests make: nobody's admin account.
var system = services.System("test")

func newUsers(t *testing.T, db *gorm.DB) (*services.Users, *repositories.Store) {
	t.Helper()
	pw, err := services.NewPasswords(4)
	if err != nil {
		t.Fatal(err)
	}
	store := repositories.NewStore(db)
	throttle := services.LoginThrottle{
		Counter: ratelimit.NewMemoryCounter(time.Minute, time.Now), Max: 100, IPMax: 100, AccountMax: 100,
		Log: slog.New(slog.DiscardHandler),
	}
	return services.NewUsers(store, pw, throttle), store
}

// TestUserPatchRevokesTokensOnlyWhenItShould: a new password, role or activity raises the token
// version (every session ends); a new name, or setting what already holds, does not.
func TestUserPatchRevokesTokensOnlyWhenItShould(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		users, store := newUsers(t, db)
		u, err := users.Register(ctx, services.Registration{Email: "ana@example.com", Password: "correct horse", FullName: "Ana"})
		if err != nil {
			t.Fatal(err)
		}
		// An admin other than Ana, so that demoting or deactivating Ana never meets the
		// last-admin guard.
		boss, err := users.Register(ctx, services.Registration{Email: "boss@example.com", Password: "correct horse", FullName: "Boss"})
		if err != nil {
			t.Fatal(err)
		}
		bossRole := models.RoleAdmin
		if err := store.Users.Patch(ctx, boss.ID, repositories.UserPatch{Role: &bossRole}); err != nil {
			t.Fatal(err)
		}
		version := func() int64 {
			t.Helper()
			got, err := store.Users.Get(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.TokenVersion
		}
		name, pw, admin, customer, inactive, active := "Ana B", "another horse", models.RoleAdmin, models.RoleCustomer, false, true
		steps := []struct {
			what   string
			patch  services.UserPatch
			revoke bool
		}{
			{"nothing", services.UserPatch{}, false},
			{"full name", services.UserPatch{FullName: &name}, false},
			{"same role", services.UserPatch{Role: &customer}, false},
			{"password", services.UserPatch{Password: &pw}, true},
			{"promotion", services.UserPatch{Role: &admin}, true},
			{"same activity", services.UserPatch{IsActive: &active}, false},
			{"deactivation", services.UserPatch{IsActive: &inactive}, true},
			{"reactivation", services.UserPatch{IsActive: &active}, true},
		}
		for _, s := range steps {
			before := version()
			got, err := users.Patch(ctx, system, u.ID, s.patch)
			if err != nil {
				t.Fatalf("%s: %v", s.what, err)
			}
			if after := version(); (after > before) != s.revoke || after < before {
				t.Errorf("%s: token version %d → %d, want revoked=%v", s.what, before, after, s.revoke)
			}
			if s.patch.FullName != nil && got.FullName != *s.patch.FullName {
				t.Errorf("%s: full name %q", s.what, got.FullName)
			}
		}
		if _, err := users.Login(ctx, "ana@example.com", pw, "192.0.2.1"); err != nil {
			t.Errorf("login with the patched password: %v", err)
		}
		if _, err := users.Patch(ctx, system, 999_999, services.UserPatch{FullName: &name}); !isCode(err, apperr.CodeNotFound) {
			t.Errorf("patch of a missing user: %v, want not_found", err)
		}
	})
}

// TestProductPatchAndReplace: a patch changes only its fields, an empty one changes nothing,
// Replace sets every field, and a taken SKU is a conflict.
func TestProductPatchAndReplace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		products := services.NewProducts(repositories.NewStore(db))
		actor := services.System("test")
		a, err := products.Create(ctx, actor, services.ProductInput{SKU: "A-1", Name: "Mug", PriceCents: 1299, Stock: 5, IsActive: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := products.Create(ctx, actor, services.ProductInput{SKU: "B-1", Name: "Cup", PriceCents: 500, Stock: 1, IsActive: true}); err != nil {
			t.Fatal(err)
		}
		price := int64(1500)
		got, err := products.Patch(ctx, actor, a.ID, services.ProductPatch{PriceCents: &price})
		if err != nil {
			t.Fatal(err)
		}
		if got.PriceCents != 1500 || got.Name != "Mug" || got.SKU != "A-1" || got.Stock != 5 || !got.IsActive {
			t.Errorf("after a price patch: %+v", got)
		}
		same, err := products.Patch(ctx, actor, a.ID, services.ProductPatch{})
		if err != nil || same.PriceCents != 1500 || !same.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("empty patch: %+v, %v", same, err)
		}
		got, err = products.Replace(ctx, actor, a.ID, services.ProductInput{SKU: "A-2", Name: "Big mug", Description: "350 ml", PriceCents: 1999, Stock: 0, IsActive: false})
		if err != nil {
			t.Fatal(err)
		}
		if got.SKU != "A-2" || got.Name != "Big mug" || got.Description != "350 ml" || got.PriceCents != 1999 || got.Stock != 0 || got.IsActive {
			t.Errorf("after Replace: %+v", got)
		}
		if inactive, err := products.Patch(ctx, actor, a.ID, services.ProductPatch{}); err != nil || inactive.SKU != "A-2" {
			t.Errorf("empty patch of an inactive product: %+v, %v", inactive, err)
		}
		taken := "B-1"
		if _, err := products.Patch(ctx, actor, a.ID, services.ProductPatch{SKU: &taken}); !isCode(err, apperr.CodeConflict) {
			t.Errorf("patch to a taken SKU: %v, want conflict", err)
		}
	})
}

func isCode(err error, code apperr.Code) bool {
	var e *apperr.Error
	return errors.As(err, &e) && e.Code == code
}

// TestEnsureAdminKeepsTheAPIsRules: the command line's way in refuses what registration over
// the API refuses, before touching the database.
func TestEnsureAdminKeepsTheAPIsRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		users, store := newUsers(t, db)
		for _, c := range []struct{ email, password, name string }{
			{"root@example.com", "short", "Root"},
			{"not an email", "long enough password", "Root"},
			{"root@example.com", "long enough password", "   "},
			{"victim\u200b@example.com", "long enough password", "Root"},
		} {
			if _, err := users.EnsureAdmin(ctx, system, c.email, c.password, c.name); !isCode(err, apperr.CodeValidation) {
				t.Errorf("EnsureAdmin(%q, %q, %q) = %v, want a validation error", c.email, c.password, c.name, err)
			}
		}
		var n int64
		if err := db.Model(&models.User{}).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("%d users stored after refusals (%v)", n, err)
		}
		created, err := users.EnsureAdmin(ctx, system, "  Root@Example.com ", "long enough password", " Root ")
		if err != nil || !created {
			t.Fatalf("EnsureAdmin of a valid admin: %v, %v", created, err)
		}
		u, err := store.Users.ByEmail(ctx, "root@example.com")
		if err != nil || u.FullName != "Root" || u.Role != models.RoleAdmin {
			t.Fatalf("stored %+v (%v), want root@example.com, Root, admin", u, err)
		}
	})
}
