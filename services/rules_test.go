package services_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tienda/apperr"
	"tienda/apptest/dbtest"
	"tienda/models"
	"tienda/repositories"
	"tienda/services"
)

// TestServicesRefuseWhatTheAPIRefuses: the limits live in the services, so a caller that is not
// the API (the console, the command line, the seed) cannot write what the API would refuse, and
// nothing reaches the database.
func TestServicesRefuseWhatTheAPIRefuses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		store := repositories.NewStore(db)
		products := services.NewProducts(store)
		orders := services.NewOrders(store, services.OrdersConfig{Now: time.Now, KeyTTL: time.Hour})
		users, _ := newUsers(t, db)
		ana, err := users.Register(ctx, services.Registration{Email: "ana@example.com", Password: "correct horse", FullName: "Ana"})
		if err != nil {
			t.Fatal(err)
		}
		customer := services.Actor{UserID: ana.ID, Role: models.RoleCustomer, Email: ana.Email}
		good := services.ProductInput{SKU: "MUG-1", Name: "Mug", PriceCents: 100, Stock: 1, IsActive: true}
		long, empty, negative, tooMany, root := strings.Repeat("x", services.MaxSKU+1), "  ", int64(-1), int64(services.MaxStock+1), models.Role("root")
		lines := make([]services.OrderLine, services.MaxOrderLines+1)
		for i := range lines {
			lines[i] = services.OrderLine{ProductID: uint(i + 1), Quantity: 1}
		}
		for _, c := range []struct {
			what  string
			field string
			call  func() error
		}{
			{"a product with a long SKU", "sku", func() error {
				in := good
				in.SKU = long
				_, err := products.Create(ctx, system, in)
				return err
			}},
			{"a product with a blank name", "name", func() error {
				in := good
				in.Name = empty
				_, err := products.Create(ctx, system, in)
				return err
			}},
			{"a product replaced with a negative price", "price_cents", func() error {
				in := good
				in.PriceCents = negative
				_, err := products.Replace(ctx, system, 1, in)
				return err
			}},
			{"a product patched past the stock ceiling", "stock", func() error {
				_, err := products.Patch(ctx, system, 1, services.ProductPatch{Stock: &tooMany})
				return err
			}},
			{"an order of too many lines", "items", func() error {
				_, _, err := orders.Place(ctx, customer, services.PlaceOrder{Lines: lines})
				return err
			}},
			{"an order with a product twice", "items[1].product_id", func() error {
				_, _, err := orders.Place(ctx, customer, services.PlaceOrder{Lines: []services.OrderLine{{ProductID: 1, Quantity: 1}, {ProductID: 1, Quantity: 2}}})
				return err
			}},
			{"an order line of 0 units", "items[0].quantity", func() error {
				_, _, err := orders.Place(ctx, customer, services.PlaceOrder{Lines: []services.OrderLine{{ProductID: 1, Quantity: 0}}})
				return err
			}},
			{"an order with a control character in its key", "Idempotency-Key", func() error {
				_, _, err := orders.Place(ctx, customer, services.PlaceOrder{Lines: lines[:1], IdempotencyKey: "a\nb"})
				return err
			}},
			{"a user given a role that does not exist", "role", func() error {
				_, err := users.Patch(ctx, system, ana.ID, services.UserPatch{Role: &root})
				return err
			}},
			{"a user renamed to blanks", "full_name", func() error {
				_, err := users.Patch(ctx, system, ana.ID, services.UserPatch{FullName: &empty})
				return err
			}},
		} {
			err := c.call()
			e, ok := apperr.As(err)
			if !ok || e.HTTPStatus() != 422 && e.HTTPStatus() != 400 || len(e.Details) == 0 || e.Details[0].Field != c.field {
				t.Errorf("%s: %v, want a validation error on %s", c.what, err, c.field)
			}
		}
		for _, table := range []any{&models.Product{}, &models.Order{}} {
			var n int64
			if err := db.Model(table).Count(&n).Error; err != nil || n != 0 {
				t.Errorf("%T: %d rows after refusals (%v)", table, n, err)
			}
		}
		if u, err := users.Get(ctx, ana.ID); err != nil || u.Role != models.RoleCustomer || u.FullName != "Ana" {
			t.Errorf("Ana after refused patches: %+v, %v", u, err)
		}
	})
}

// TestAuditNamesTheActorPassedIn: the audit log records the actor the method receives, whatever
// the context carries; a change by the system is not an admin change and is not recorded.
func TestAuditNamesTheActorPassedIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		users, _ := newUsers(t, db)
		ctx := context.Background()
		boss, err := users.Register(ctx, services.Registration{Email: "boss@example.com", Password: "correct horse", FullName: "Boss"})
		if err != nil {
			t.Fatal(err)
		}
		promote := models.RoleAdmin
		if _, err := users.Patch(ctx, system, boss.ID, services.UserPatch{Role: &promote}); err != nil {
			t.Fatal(err)
		}
		admin := services.Actor{UserID: boss.ID, Role: models.RoleAdmin, Email: boss.Email}
		// A context that names someone else: the services must not read it.
		ctx = services.WithActor(ctx, services.Actor{UserID: 999, Role: models.RoleAdmin})
		ana, err := users.Register(ctx, services.Registration{Email: "ana@example.com", Password: "correct horse", FullName: "Ana"})
		if err != nil {
			t.Fatal(err)
		}
		name := "Ana B"
		if _, err := users.Patch(ctx, admin, ana.ID, services.UserPatch{FullName: &name}); err != nil {
			t.Fatal(err)
		}
		other := "Ana C"
		if _, err := users.Patch(ctx, system, ana.ID, services.UserPatch{FullName: &other}); err != nil {
			t.Fatal(err)
		}
		if err := users.Delete(ctx, admin, ana.ID); err != nil {
			t.Fatal(err)
		}
		var entries []models.AuditEntry
		if err := db.Order("id").Find(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 {
			t.Fatalf("%d audit entries, want 2 (the admin's patch and delete; not the system's patch): %+v", len(entries), entries)
		}
		for i, want := range []string{services.AuditUserUpdate, services.AuditUserDelete} {
			if e := entries[i]; e.ActorID != boss.ID || e.Action != want {
				t.Errorf("entry %d: actor %d action %s, want actor %d action %s", i, e.ActorID, e.Action, boss.ID, want)
			}
		}
	})
}
