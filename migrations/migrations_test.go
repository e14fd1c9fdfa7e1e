package migrations_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/migrations"
	"tienda/models"
)

// schema lists what the migrations must have created: table → indexes and constraints.
var wantIndexes = map[string][]string{
	"users":            {"ux_users_email_live", "ix_users_role", "ix_users_is_active", "ix_users_created_at"},
	"products":         {"ux_products_sku_live", "ix_products_name", "ix_products_price_cents", "ix_products_stock", "ix_products_is_active", "ix_products_created_at", "ix_products_live_active"},
	"orders":           {"ix_orders_user_id", "ix_orders_status", "ix_orders_total_cents", "ix_orders_created_at"},
	"order_items":      {"ix_order_items_order_id", "ix_order_items_product_id"},
	"idempotency_keys": {"ux_idempotency_keys_user_key", "ix_idempotency_keys_expires_at"},
	"outbox":           {"ix_outbox_state_due", "ix_outbox_order_id"},
	"deliveries":       {"ux_deliveries_dedupe_key"},
}

var wantColumns = map[string][]string{
	"users": {"email", "password_hash", "full_name", "role", "is_active", "token_version", "created_at", "updated_at", "deleted_at"},
}

var wantConstraints = map[string][]string{
	"orders":           {"fk_orders_user"},
	"order_items":      {"fk_order_items_order", "fk_order_items_product"},
	"products":         {"ck_products_price_cents", "ck_products_stock"},
	"idempotency_keys": {"fk_idempotency_keys_user"},
}

func assertSchema(t *testing.T, db *gorm.DB, present bool) {
	t.Helper()
	m := db.Migrator()
	for table, indexes := range wantIndexes {
		if got := m.HasTable(table); got != present {
			t.Fatalf("table %s: present = %v, want %v", table, got, present)
		}
		if !present {
			continue
		}
		for _, idx := range indexes {
			if !m.HasIndex(table, idx) {
				t.Errorf("table %s: missing index %s", table, idx)
			}
		}
		for _, col := range wantColumns[table] {
			if !m.HasColumn(table, col) {
				t.Errorf("table %s: missing column %s", table, col)
			}
		}
		for _, c := range wantConstraints[table] {
			if !m.HasConstraint(table, c) {
				t.Errorf("table %s: missing constraint %s", table, c)
			}
		}
	}
}

func TestUpDownUp(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, cfg config.Database) {
		ctx := context.Background()
		db := dbtest.Open(t, cfg)
		r := migrations.NewRunner(db, migrations.All())

		st, err := r.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Applied) != 0 || len(st.Pending) != len(migrations.All()) {
			t.Fatalf("fresh database: status = %+v, want all pending", st)
		}

		if err := r.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		assertSchema(t, db, true)
		assertStatus(t, r, len(migrations.All()), 0)

		for range migrations.All() {
			if err := r.Down(ctx); err != nil {
				t.Fatalf("down: %v", err)
			}
		}
		assertSchema(t, db, false)
		assertStatus(t, r, 0, len(migrations.All()))
		if err := r.Down(ctx); err == nil {
			t.Fatal("down with nothing applied: want an error, got nil")
		}

		if err := r.Up(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		assertSchema(t, db, true)
		if err := r.Up(ctx); err != nil {
			t.Fatalf("up when up to date: %v", err)
		}
	})
}

func assertStatus(t *testing.T, r *migrations.Runner, applied, pending int) {
	t.Helper()
	st, err := r.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Applied) != applied || len(st.Pending) != pending || len(st.Unknown) != 0 {
		t.Fatalf("status = %+v, want %d applied, %d pending, none unknown", st, applied, pending)
	}
}

func TestTo(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, cfg config.Database) {
		ctx := context.Background()
		db := dbtest.Open(t, cfg)
		r := migrations.NewRunner(db, migrations.All())
		first := migrations.All()[0].ID
		if err := r.To(ctx, first); err != nil {
			t.Fatalf("to %s: %v", first, err)
		}
		assertStatus(t, r, 1, len(migrations.All())-1)
		if err := r.Up(ctx); err != nil {
			t.Fatal(err)
		}
		if err := r.To(ctx, first); err != nil {
			t.Fatalf("back down to %s: %v", first, err)
		}
		assertStatus(t, r, 1, len(migrations.All())-1)
		if db.Migrator().HasColumn("users", "token_version") {
			t.Error("migrating down to the first migration left users.token_version")
		}
		if err := r.To(ctx, "19990101_nope"); err == nil || !strings.Contains(err.Error(), "unknown migration") {
			t.Fatalf("to an unknown id: err = %v, want unknown migration", err)
		}
	})
}

func TestUnknownAppliedMigrationIsReportedAndBlocksChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := db.Exec("INSERT INTO migrations (id) VALUES (?)", "299912312359_from_the_future").Error; err != nil {
			t.Fatal(err)
		}
		r := migrations.NewRunner(db, migrations.All())
		st, err := r.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Unknown) != 1 || st.Unknown[0] != "299912312359_from_the_future" {
			t.Fatalf("unknown = %v, want the future migration", st.Unknown)
		}
		if err := r.Up(ctx); err == nil || !strings.Contains(err.Error(), "299912312359_from_the_future") {
			t.Fatalf("up with an unknown migration: err = %v, want one naming it", err)
		}
	})
}

// TestConcurrentUp runs `migrate up` from four connections at once, as four processes would:
// the migration lock makes them take turns and every one succeeds.
func TestConcurrentUp(t *testing.T) {
	dbtest.EachEmpty(t, func(t *testing.T, cfg config.Database) {
		const runners = 4
		errs := make([]error, runners)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range runners {
			db := dbtest.Open(t, cfg) // its own pool, like a separate process
			wg.Go(func() {
				<-start
				errs[i] = migrations.NewRunner(db, migrations.All()).Up(context.Background())
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("runner %d: %v", i, err)
			}
		}
		db := dbtest.Open(t, cfg)
		assertSchema(t, db, true)
		var n int64
		db.Table(migrations.Table).Count(&n)
		if n != int64(len(migrations.All())) {
			t.Errorf("migrations table has %d rows, want %d", n, len(migrations.All()))
		}
	})
}

// TestLiveUniqueness checks that the database itself refuses a second live user with the same
// email (in any case) or a second live product with the same SKU, and allows reuse after a soft
// delete, repeatedly.
func TestLiveUniqueness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		newUser := func(email string) *models.User {
			return &models.User{Email: email, PasswordHash: "x", FullName: "A", Role: models.RoleCustomer, IsActive: true}
		}
		newProduct := func(sku string) *models.Product {
			return &models.Product{SKU: sku, Name: "P", PriceCents: 1, Stock: 1, IsActive: true}
		}
		cases := []struct {
			name        string
			first, dup  any
			afterDelete func() any
		}{
			{"email", newUser("ana@example.com"), newUser("ANA@example.com"), func() any { return newUser("ana@example.com") }},
			{"sku", newProduct("SKU-1"), newProduct("sku-1"), func() any { return newProduct("SKU-1") }},
		}
		// Case is ignored, accents are not: "cafe" and "café" are different SKUs on every engine.
		if err := db.Create(newProduct("cafe")).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(newProduct("café")).Error; err != nil {
			t.Errorf("SKU café next to cafe: %v, want both allowed (accents matter)", err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := db.Create(c.first).Error; err != nil {
					t.Fatalf("first insert: %v", err)
				}
				if err := db.Create(c.dup).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
					t.Fatalf("duplicate live insert: err = %v, want gorm.ErrDuplicatedKey", err)
				}
				prev := c.first
				for round := range 2 {
					if err := db.Delete(prev).Error; err != nil {
						t.Fatalf("round %d: soft delete: %v", round, err)
					}
					next := c.afterDelete()
					if err := db.Create(next).Error; err != nil {
						t.Fatalf("round %d: insert after soft delete: %v", round, err)
					}
					prev = next
				}
			})
		}
	})
}

// TestModelsMatchSchema catches a model field that no migration created.
func TestModelsMatchSchema(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		for _, model := range []any{&models.User{}, &models.Product{}, &models.Order{}, &models.OrderItem{}, &models.IdempotencyKey{}, &models.OutboxMessage{}, &models.Delivery{}, &models.Report{}, &models.ReportRow{}, &models.PasswordReset{}} {
			stmt := &gorm.Statement{DB: db}
			if err := stmt.Parse(model); err != nil {
				t.Fatal(err)
			}
			for _, f := range stmt.Schema.Fields {
				if f.DBName != "" && !db.Migrator().HasColumn(model, f.DBName) {
					t.Errorf("%s.%s: no column %s in the migrated schema", stmt.Schema.Table, f.Name, f.DBName)
				}
			}
		}
	})
}
