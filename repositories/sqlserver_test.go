package repositories_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"flag"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"tienda/apptest/dbtest"
	"tienda/database"
	"tienda/database/sqlrecord"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

var update = flag.Bool("update", false, "rewrite golden files with the statements recorded now")

// sqlServerCase is one or more calls of repository methods whose statements are recorded into
// testdata/sqlserver/<name>.sql.
type sqlServerCase struct {
	name   string
	covers []string // the exported methods it calls, as Type.Method
	run    func(ctx context.Context, s *repositories.Store) error
}

// failing maps case names to the statements that must fail in them (see Recorder.FailWith).
var failing = map[string]func(query string) error{
	// A second claim of the same key finds it taken and tries to take it over.
	"deliveries_claim_taken": func(q string) error {
		if strings.HasPrefix(q, "INSERT") {
			return mssql.Error{Number: 2601, Class: 14, Message: "Cannot insert duplicate key row"}
		}
		return nil
	},
}

// The arguments below are representative, not meaningful: the recorder answers every query with
// the canned rows of sqlServerAnswer. Time values are parameters, so they never reach the files.
var (
	t0        = time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	yes, no   = true, false
	minPrice  = int64(100)
	maxPrice  = int64(5000)
	firstPage = listing.Options{Page: 1, PageSize: 20}
)

func page(n int, sorts ...listing.Sort) listing.Options {
	return listing.Options{Page: n, PageSize: 20, Sort: sorts}
}

func asc(field string) listing.Sort  { return listing.Sort{Field: field} }
func desc(field string) listing.Sort { return listing.Sort{Field: field, Desc: true} }

func listProducts(f listing.ProductFilter, opts ...listing.Options) func(context.Context, *repositories.Store) error {
	return func(ctx context.Context, s *repositories.Store) error {
		for _, o := range opts {
			if _, _, err := s.Products.Search(ctx, f, o); err != nil {
				return err
			}
		}
		return nil
	}
}

func listUsers(f listing.UserFilter, opts ...listing.Options) func(context.Context, *repositories.Store) error {
	return func(ctx context.Context, s *repositories.Store) error {
		for _, o := range opts {
			if _, _, err := s.Users.Search(ctx, f, o); err != nil {
				return err
			}
		}
		return nil
	}
}

func listOrders(f listing.OrderFilter, opts ...listing.Options) func(context.Context, *repositories.Store) error {
	return func(ctx context.Context, s *repositories.Store) error {
		for _, o := range opts {
			if _, _, err := s.Orders.Search(ctx, f, o); err != nil {
				return err
			}
		}
		return nil
	}
}

func sqlServerCases() []sqlServerCase {
	product := func() *models.Product {
		return &models.Product{SKU: "SKU-1", Name: "Mug", Description: "A mug", PriceCents: 1250, Stock: 10, IsActive: true}
	}
	item := func(productID uint, qty int64) models.OrderItem {
		return models.OrderItem{ProductID: productID, SKU: "SKU-1", Name: "Mug", Quantity: qty, UnitPriceCents: 1250, LineTotalCents: 1250 * qty}
	}
	orderID := uint(7)
	return []sqlServerCase{
		// Products: the generic Repo, and every filter and sort of the list.
		{"products_create", []string{"Products.Create"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Products.Create(ctx, product())
		}},
		{"products_get", []string{"Products.Get"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Products.Get(ctx, 1)
			return err
		}},
		{"products_update", []string{"Products.Update", "Products.Patch"}, func(ctx context.Context, s *repositories.Store) error {
			sku, name, desc, price, stock, active := "SKU-2", "Cup", "A cup", int64(990), int64(3), false
			return s.Products.Patch(ctx, 1, repositories.ProductPatch{
				SKU: &sku, Name: &name, Description: &desc, PriceCents: &price, Stock: &stock, IsActive: &active,
			})
		}},
		{"products_delete", []string{"Products.Delete"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Products.Delete(ctx, 1)
		}},
		{"products_counts", []string{"Products.Counts"}, func(ctx context.Context, s *repositories.Store) error {
			_, _, err := s.Products.Counts(ctx)
			return err
		}},
		{"products_get_any", []string{"Products.GetAny"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Products.GetAny(ctx, 1)
			return err
		}},
		{"products_adjust_stock", []string{"Products.AdjustStock"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Products.AdjustStock(ctx, 1, -3, 1_000_000_000)
			return err
		}},
		{"products_low_stock", []string{"Products.LowStock"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Products.LowStock(ctx, 5, 10)
			return err
		}},
		{"products_list", []string{"Products.List", "Products.Search"}, listProducts(listing.ProductFilter{}, firstPage)},
		{"products_list_q", nil, listProducts(listing.ProductFilter{Q: "50%_off[!]"}, firstPage)},
		{"products_list_price_range", nil, listProducts(listing.ProductFilter{MinPriceCents: &minPrice, MaxPriceCents: &maxPrice}, firstPage)},
		{"products_list_in_stock", nil, listProducts(listing.ProductFilter{InStock: &yes}, firstPage)},
		{"products_list_out_of_stock", nil, listProducts(listing.ProductFilter{InStock: &no}, firstPage)},
		{"products_list_active", nil, listProducts(listing.ProductFilter{Active: &yes}, firstPage)},
		{"products_list_inactive", nil, listProducts(listing.ProductFilter{Active: &no}, firstPage)},
		{"products_list_all_filters", nil, listProducts(listing.ProductFilter{
			Q: "mug", MinPriceCents: &minPrice, MaxPriceCents: &maxPrice, InStock: &yes, Active: &yes,
		}, page(2, desc("price_cents")))},
		{"products_list_sorts", nil, listProducts(listing.ProductFilter{},
			page(1, asc("name")), page(1, desc("name")), page(1, asc("price_cents")), page(1, desc("price_cents")),
			page(1, asc("created_at")), page(1, desc("created_at")), page(1, desc("id")),
			page(1, asc("price_cents"), desc("name")), page(1, desc("id"), asc("name")))},
		// 45 rows (see sqlServerAnswer): pages 1 to 3 are read, page 4 is past the end and costs the count only.
		{"products_list_pages", nil, listProducts(listing.ProductFilter{}, page(1), page(2), page(3), page(4))},

		// Users.
		{"users_create", []string{"Users.Create"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Users.Create(ctx, &models.User{Email: "ana@example.com", PasswordHash: "$2a$10$x", FullName: "Ana", Role: models.RoleCustomer, IsActive: true})
		}},
		{"users_get", []string{"Users.Get"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.Get(ctx, 1)
			return err
		}},
		{"users_update", []string{"Users.Update", "Users.Patch"}, func(ctx context.Context, s *repositories.Store) error {
			name, role, active, hash := "Ana B", models.RoleAdmin, true, "$2a$10$y"
			return s.Users.Patch(ctx, 1, repositories.UserPatch{
				FullName: &name, Role: &role, IsActive: &active, PasswordHash: &hash, RevokeTokens: true,
			})
		}},
		{"users_delete", []string{"Users.Delete"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Users.Delete(ctx, 1)
		}},
		{"users_list", []string{"Users.List", "Users.Search"}, listUsers(listing.UserFilter{}, firstPage)},
		{"users_list_q", nil, listUsers(listing.UserFilter{Q: "ana"}, firstPage)},
		{"users_list_role", nil, listUsers(listing.UserFilter{Role: models.RoleAdmin}, firstPage)},
		{"users_list_active", nil, listUsers(listing.UserFilter{Active: &yes}, firstPage)},
		{"users_list_inactive", nil, listUsers(listing.UserFilter{Active: &no}, firstPage)},
		{"users_list_all_filters", nil, listUsers(listing.UserFilter{Q: "ana", Role: models.RoleCustomer, Active: &yes}, page(1, asc("email")))},
		{"users_list_sorts", nil, listUsers(listing.UserFilter{},
			page(1, asc("email")), page(1, desc("email")), page(1, asc("created_at")), page(1, desc("created_at")), page(1, desc("id")))},
		{"users_list_pages", nil, listUsers(listing.UserFilter{}, page(1), page(2), page(3), page(4))},
		{"users_by_email", []string{"Users.ByEmail"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.ByEmail(ctx, "ana@example.com")
			return err
		}},
		{"users_lock_active_admins", []string{"Users.LockActiveAdmins"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Users.LockActiveAdmins(ctx)
		}},
		{"users_count_active_admins", []string{"Users.CountActiveAdmins"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.CountActiveAdmins(ctx)
			return err
		}},
		{"users_email_of", []string{"Users.EmailOf"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.EmailOf(ctx, 1)
			return err
		}},
		{"users_session", []string{"Users.Session"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.Session(ctx, 1)
			return err
		}},
		{"users_full_name_of", []string{"Users.FullNameOf"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.FullNameOf(ctx, 1)
			return err
		}},
		{"users_active_admin_emails", []string{"Users.ActiveAdminEmails"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Users.ActiveAdminEmails(ctx)
			return err
		}},

		// Orders: the generic Repo, the list, and the order workflow.
		{"orders_create", []string{"Orders.Create"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.Create(ctx, &models.Order{UserID: 1, Status: models.OrderPending, TotalCents: 2500})
		}},
		{"orders_get", []string{"Orders.Get"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.Get(ctx, 1)
			return err
		}},
		{"orders_update", []string{"Orders.Update"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.Update(ctx, 1, map[string]any{"status": models.OrderPaid})
		}},
		{"orders_delete", []string{"Orders.Delete"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.Delete(ctx, 1)
		}},
		{"orders_list", []string{"Orders.List", "Orders.Search"}, listOrders(listing.OrderFilter{}, firstPage)},
		{"orders_list_user", nil, listOrders(listing.OrderFilter{UserID: 1}, firstPage)},
		{"orders_list_status", nil, listOrders(listing.OrderFilter{Status: models.OrderPaid}, firstPage)},
		{"orders_list_placed", nil, listOrders(listing.OrderFilter{PlacedFrom: t0, PlacedBefore: t0.AddDate(0, 0, 1)}, firstPage)},
		{"orders_list_all_filters", nil, listOrders(listing.OrderFilter{UserID: 1, Status: models.OrderPending}, page(2, desc("created_at")))},
		{"orders_list_sorts", nil, listOrders(listing.OrderFilter{},
			page(1, asc("created_at")), page(1, desc("created_at")), page(1, asc("total_cents")), page(1, desc("total_cents")), page(1, desc("id")))},
		{"orders_list_pages", nil, listOrders(listing.OrderFilter{}, page(1), page(2), page(3), page(4))},
		{"orders_take_stock", []string{"Orders.TakeStock"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.TakeStock(ctx, 1, 2)
			return err
		}},
		{"orders_take_stocks", []string{"Orders.TakeStocks"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.TakeStocks(ctx, []repositories.StockTake{{ProductID: 1, Quantity: 2}, {ProductID: 3, Quantity: 1}})
			return err
		}},
		{"orders_return_stock", []string{"Orders.ReturnStock"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.ReturnStock(ctx, 1, 2)
		}},
		{"orders_products", []string{"Orders.Products"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.Products(ctx, []uint{1, 2, 3})
			return err
		}},
		{"orders_get_with_items", []string{"Orders.GetWithItems"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.GetWithItems(ctx, 1)
			return err
		}},
		{"orders_list_with_items", []string{"Orders.ListWithItems"}, func(ctx context.Context, s *repositories.Store) error {
			for _, o := range []listing.Options{page(1), page(3, desc("total_cents")), page(4)} {
				if _, _, err := s.Orders.ListWithItems(ctx, listing.OrderFilter{UserID: 1, Status: models.OrderPending}, o); err != nil {
					return err
				}
			}
			return nil
		}},
		{"orders_transition", []string{"Orders.Transition"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.Transition(ctx, 1, 0, []models.OrderStatus{models.OrderPending, models.OrderPaid}, models.OrderCancelled)
			return err
		}},
		{"orders_transition_owner", nil, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.Transition(ctx, 1, 2, []models.OrderStatus{models.OrderPending}, models.OrderCancelled)
			return err
		}},
		{"orders_find_key", []string{"Orders.FindKey"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.FindKey(ctx, 1, "key-1", t0)
			return err
		}},
		{"orders_claim_key", []string{"Orders.ClaimKey"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.ClaimKey(ctx, &models.IdempotencyKey{UserID: 1, Key: "key-1", RequestHash: "ab12", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)})
		}},
		{"orders_set_key_order", []string{"Orders.SetKeyOrder"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.SetKeyOrder(ctx, 1, 7)
		}},
		{"orders_purge_keys", []string{"Orders.PurgeKeys"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Orders.PurgeKeys(ctx, t0, 500)
			return err
		}},
		{"orders_insert", []string{"Orders.Insert"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Orders.Insert(ctx, &models.Order{UserID: 1, Status: models.OrderPending, TotalCents: 3750, Items: []models.OrderItem{item(1, 1), item(2, 2)}})
		}},

		// Outbox: the relay's claims and the tasks' completions.
		{"outbox_add", []string{"Outbox.Add"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Outbox.Add(ctx, []models.OutboxMessage{
				{Task: "send_order_confirmation", OrderID: &orderID, Recipient: "ana@example.com", Payload: `{"order_id":7}`, State: models.OutboxPending, DueAt: t0, TaskUUID: "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44"},
				{Task: "low_stock_alert", Recipient: "admins", Payload: `{"product_id":1}`, State: models.OutboxPending, DueAt: t0, TaskUUID: "0b1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d45"},
			})
		}},
		{"outbox_due", []string{"Outbox.Due"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Outbox.Due(ctx, t0, 100)
			return err
		}},
		{"outbox_claim", []string{"Outbox.Claim"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Outbox.Claim(ctx, models.OutboxMessage{ID: 1, State: models.OutboxSent, Attempts: 2}, t0, t0.Add(time.Minute))
			return err
		}},
		{"outbox_postpone_fail_complete", []string{"Outbox.Postpone", "Outbox.Fail", "Outbox.Complete"}, func(ctx context.Context, s *repositories.Store) error {
			return errors.Join(
				s.Outbox.Postpone(ctx, 1, 2, t0, "redis: connection refused"),
				s.Outbox.Fail(ctx, 1, "not finished after 10 hand-offs"),
				s.Outbox.Complete(ctx, 1, t0))
		}},
		{"outbox_get", []string{"Outbox.Get", "Outbox.ByTaskUUID"}, func(ctx context.Context, s *repositories.Store) error {
			_, err1 := s.Outbox.Get(ctx, 1)
			_, err2 := s.Outbox.ByTaskUUID(ctx, "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44")
			return errors.Join(err1, err2)
		}},
		{"outbox_backlog", []string{"Outbox.Backlog"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Outbox.Backlog(ctx)
			return err
		}},
		{"outbox_count_state", []string{"Outbox.CountState"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Outbox.CountState(ctx, models.OutboxFailed)
			return err
		}},

		// Deliveries: a first claim inserts; a second one finds the key and tries to take over.
		{"deliveries_claim_new", []string{"Deliveries.Claim"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Deliveries.Claim(ctx, "order_confirmation:7", t0, time.Minute)
			return err
		}},
		{"deliveries_claim_taken", nil, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Deliveries.Claim(ctx, "order_confirmation:7", t0, time.Minute)
			return err
		}},
		{"deliveries_mark_release", []string{"Deliveries.MarkSent", "Deliveries.Release"}, func(ctx context.Context, s *repositories.Store) error {
			return errors.Join(s.Deliveries.MarkSent(ctx, "order_confirmation:7", t0), s.Deliveries.Release(ctx, "order_confirmation:8"))
		}},
		{"deliveries_mark_unknown", []string{"Deliveries.MarkUnknown"}, func(ctx context.Context, s *repositories.Store) error {
			return s.Deliveries.MarkUnknown(ctx, "order_confirmation:9", t0)
		}},

		// Reports.
		{"reports_sales_by_day", []string{"Reports.SalesByDay"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Reports.SalesByDay(ctx, t0.AddDate(0, -1, 0), t0)
			return err
		}},
		{"reports_store", []string{"Reports.Start", "Reports.AddDays", "Reports.Complete"}, func(ctx context.Context, s *repositories.Store) error {
			id := "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44"
			err := s.Reports.Complete(ctx, id, repositories.SalesDay{Orders: 3, Items: 7, RevenueCents: 4200}, t0, t0.Add(time.Hour))
			if errors.Is(err, repositories.ErrNotFound) {
				err = nil // the recorder affects no row
			}
			return errors.Join(
				s.Reports.Start(ctx, models.Report{TaskUUID: id, FromDay: "2026-11-01", ToDay: "2026-11-30", ExpiresAt: t0.Add(time.Hour)}),
				s.Reports.AddDays(ctx, id, []repositories.SalesDay{{Day: "2026-11-27", Orders: 3, Items: 7, RevenueCents: 4200}}, 40),
				err)
		}},
		{"password_resets", []string{"PasswordResets.Create", "PasswordResets.Use", "PasswordResets.Purge"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Resets.Use(ctx, "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", t0)
			if errors.Is(err, repositories.ErrNotFound) {
				err = nil // the recorder affects no row
			}
			_, err2 := s.Resets.Purge(ctx, t0)
			return errors.Join(s.Resets.Create(ctx, &models.PasswordReset{UserID: 1, TokenHash: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", ExpiresAt: t0}), err, err2)
		}},
		{"reports_read", []string{"Reports.Get", "Reports.EachDay", "Reports.Purge"}, func(ctx context.Context, s *repositories.Store) error {
			_, err1 := s.Reports.Get(ctx, "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44")
			err2 := s.Reports.EachDay(ctx, "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44", func(repositories.SalesDay) error { return nil })
			_, err3 := s.Reports.Purge(ctx, t0)
			return errors.Join(err1, err2, err3)
		}},

		// Audit log.
		{"audit_create", nil, func(ctx context.Context, s *repositories.Store) error {
			return s.Audit.Create(ctx, &models.AuditEntry{ActorID: 1, Action: "product.update", Entity: "product", EntityID: "7", Before: `{"stock":1}`, After: `{"stock":2}`, CreatedAt: t0})
		}},
		{"audit_search", []string{"Audit.Search"}, func(ctx context.Context, s *repositories.Store) error {
			_, _, err := s.Audit.Search(ctx, listing.AuditFilter{ActorID: 1, Entity: "product", Action: "product.update"}, page(1, desc("created_at")))
			return err
		}},

		// Jobs.
		{"jobs_search", []string{"Jobs.Search"}, func(ctx context.Context, s *repositories.Store) error {
			_, _, err := s.Jobs.Search(ctx, models.OutboxFailed, page(1, desc("created_at")))
			return err
		}},
		{"jobs_requeue", []string{"Jobs.Requeue"}, func(ctx context.Context, s *repositories.Store) error {
			_, err := s.Jobs.Requeue(ctx, 1, t0)
			return err
		}},

		// Store.
		{"store_in_tx", []string{"Store.InTx"}, func(ctx context.Context, s *repositories.Store) error {
			return s.InTx(ctx, func(tx *repositories.Store) error {
				_, err := tx.Orders.TakeStock(ctx, 1, 2)
				return err
			})
		}},
	}
}

// noSQL lists the exported repository methods that send no statement of their own.
var noSQL = []string{"DB"}

// TestSQLServerGolden calls every exported repository method on GORM's SQL Server dialect with
// the production GORM config, records what would be sent to the server, and compares it with
// the reviewed files in testdata/sqlserver (rerun with -update after an intended change, and
// review the diff). Every statement is also checked for what SQL Server rejects.
func TestSQLServerGolden(t *testing.T) {
	db, rec, err := sqlrecord.SQLServer(sqlServerAnswer, database.GormConfig(dbtest.Logger(), 0))
	if err != nil {
		t.Fatal(err)
	}
	store := repositories.NewStore(db)
	ctx := context.Background()
	var all []string
	covered := map[string]bool{}
	for _, c := range sqlServerCases() {
		rec.Reset()
		rec.FailWith(failing[c.name])
		if err := c.run(ctx, store); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		rec.FailWith(nil)
		got := rec.Statements()
		if len(got) == 0 {
			t.Errorf("%s: recorded no statement", c.name)
		}
		sqlrecord.Golden(t, "testdata/sqlserver/"+c.name+".sql", got, *update)
		all = append(all, got...)
		for _, m := range c.covers {
			covered[m] = true
		}
	}
	sqlrecord.CheckSQLServer(t, all)

	// Every exported method that runs SQL has a case: a new method needs its golden file.
	for _, typ := range []reflect.Type{
		reflect.TypeFor[repositories.Products](), reflect.TypeFor[repositories.Users](),
		reflect.TypeFor[repositories.Orders](), reflect.TypeFor[*repositories.Store](),
		reflect.TypeFor[repositories.Outbox](), reflect.TypeFor[repositories.Deliveries](),
		reflect.TypeFor[repositories.Reports](), reflect.TypeFor[repositories.PasswordResets](),
	} {
		for m := range typ.Methods() {
			name := strings.TrimPrefix(typ.String(), "*repositories.")
			name = strings.TrimPrefix(name, "repositories.") + "." + m.Name
			if !covered[name] && !slices.Contains(noSQL, m.Name) {
				t.Errorf("%s has no case in sqlServerCases", name)
			}
		}
	}
}

// sqlServerAnswer gives each query the rows it needs to go on: 45 rows to count (so that lists
// read pages 1 to 3), generated ids for each inserted row, and a row or two for every read.
func sqlServerAnswer(q string) (sqlrecord.Rows, bool) {
	switch {
	case strings.HasPrefix(q, "SELECT id, sku, name, description, price_cents, stock, is_active, created_at, updated_at FROM products"):
		return sqlrecord.Rows{Columns: []string{"id", "sku", "name", "description", "price_cents", "stock", "is_active", "created_at", "updated_at"},
			Values: [][]driver.Value{{int64(1), "SKU-1", "Mug", "A mug", int64(1250), int64(10), true, t0, t0}}}, true
	case strings.HasPrefix(q, "SELECT id, email, role, is_active, token_version FROM users"):
		return sqlrecord.Rows{Columns: []string{"id", "email", "role", "is_active", "token_version"},
			Values: [][]driver.Value{{int64(1), "ana@example.com", "customer", true, int64(0)}}}, true
	case strings.HasPrefix(q, "SELECT CONVERT(char(10)"):
		return sqlrecord.Rows{Columns: []string{"day", "orders", "items", "revenue_cents"},
			Values: [][]driver.Value{{"2026-11-27", int64(3), int64(7), int64(4200)}}}, true
	case strings.HasPrefix(q, "SELECT state, COUNT(*)"):
		return sqlrecord.Rows{Columns: []string{"state", "n"}, Values: [][]driver.Value{{"pending", int64(3)}, {"sent", int64(1)}}}, true
	case strings.HasPrefix(q, "SELECT live_count, active_count FROM product_counts"):
		return sqlrecord.Rows{Columns: []string{"live_count", "active_count"}, Values: [][]driver.Value{{int64(45), int64(40)}}}, true
	case strings.HasPrefix(q, "SELECT count(*)"):
		return sqlrecord.Rows{Columns: []string{"count"}, Values: [][]driver.Value{{int64(45)}}}, true
	case strings.Contains(q, " OUTPUT INSERTED."):
		rows := sqlrecord.Rows{Columns: []string{"id"}}
		for i := range strings.Count(q, "),(") + 1 {
			rows.Values = append(rows.Values, []driver.Value{int64(101 + i)})
		}
		return rows, true
	case strings.HasPrefix(q, `SELECT "id" FROM`):
		return sqlrecord.Rows{Columns: []string{"id"}, Values: [][]driver.Value{{int64(1)}, {int64(2)}}}, true
	case strings.HasPrefix(q, `SELECT "email" FROM`):
		return sqlrecord.Rows{Columns: []string{"email"}, Values: [][]driver.Value{{"ana@example.com"}}}, true
	case strings.HasPrefix(q, `SELECT "full_name" FROM`):
		return sqlrecord.Rows{Columns: []string{"full_name"}, Values: [][]driver.Value{{"Ana"}}}, true
	case strings.HasPrefix(q, `SELECT * FROM "order_items"`):
		return sqlrecord.Rows{Columns: []string{"id", "order_id", "product_id", "quantity"},
			Values: [][]driver.Value{{int64(1), int64(1), int64(1), int64(1)}, {int64(2), int64(1), int64(2), int64(2)}}}, true
	case strings.HasPrefix(q, `SELECT * FROM "password_resets"`):
		return sqlrecord.Rows{Columns: []string{"id", "user_id"}, Values: [][]driver.Value{{int64(1), int64(1)}}}, true
	case strings.HasPrefix(q, `SELECT * FROM "reports"`):
		return sqlrecord.Rows{Columns: []string{"task_uuid", "progress"}, Values: [][]driver.Value{{"9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44", int64(40)}}}, true
	case strings.HasPrefix(q, "SELECT * FROM"):
		return sqlrecord.Rows{Columns: []string{"id"}, Values: [][]driver.Value{{int64(1)}, {int64(2)}}}, true
	}
	return sqlrecord.Rows{}, false
}

// TestSQLServerDuplicateKey: SQL Server's duplicate-key errors (2627 on a unique constraint,
// 2601 on a unique index, which is what the live-uniqueness indexes raise) reach callers as
// repositories.ErrDuplicate, which the services answer with 409.
func TestSQLServerDuplicateKey(t *testing.T) {
	for _, number := range []int32{2601, 2627} {
		db, rec, err := sqlrecord.SQLServer(sqlServerAnswer, database.GormConfig(dbtest.Logger(), 0))
		if err != nil {
			t.Fatal(err)
		}
		rec.FailWith(func(q string) error {
			if strings.HasPrefix(q, "INSERT") {
				return mssql.Error{Number: number, Class: 14, Message: "Cannot insert duplicate key row"}
			}
			return nil
		})
		err = repositories.NewStore(db).Products.Create(context.Background(), &models.Product{SKU: "SKU-1", Name: "Mug"})
		if !errors.Is(err, repositories.ErrDuplicate) {
			t.Errorf("error %d: err = %v, want repositories.ErrDuplicate", number, err)
		}
	}
}

// TestSQLServerDeadlockIsRetried: a transaction chosen as the deadlock victim (1205) is rolled
// back and run again from the start, and after the last attempt the error is still Retryable
// (the middleware's 503).
func TestSQLServerDeadlockIsRetried(t *testing.T) {
	db, rec, err := sqlrecord.SQLServer(sqlServerAnswer, database.GormConfig(dbtest.Logger(), 0))
	if err != nil {
		t.Fatal(err)
	}
	rec.FailWith(func(q string) error {
		if strings.HasPrefix(q, "UPDATE") {
			return mssql.Error{Number: 1205, Class: 13, Message: "Transaction was deadlocked"}
		}
		return nil
	})
	calls := 0
	err = repositories.NewStore(db).InTx(context.Background(), func(tx *repositories.Store) error {
		calls++
		_, err := tx.Orders.TakeStock(context.Background(), 1, 1)
		return err
	})
	if !database.Retryable(err) {
		t.Fatalf("err = %v, want a Retryable error", err)
	}
	if calls != 4 {
		t.Errorf("the transaction ran %d times, want 4", calls)
	}
	stmts := rec.Statements()
	if n := strings.Count(strings.Join(stmts, "\n"), "ROLLBACK"); n != 4 {
		t.Errorf("recorded %d rollbacks, want 4:\n%s", n, strings.Join(stmts, "\n"))
	}
}

// TestLostConnectionIsRetriedBeforeCommitOnly: a transaction whose connection broke under one of
// its statements was rolled back by the server and is run again; one whose connection broke
// during COMMIT may have been committed, so it is not run a second time (it could place an order
// twice), and the error says the connection was lost (the middleware's 503).
func TestLostConnectionIsRetriedBeforeCommitOnly(t *testing.T) {
	cases := []struct {
		name      string
		failing   string // prefix of the statement that fails
		failures  int    // how often it fails before it succeeds
		wantCalls int
		wantErr   bool
	}{
		{"broken under a statement, then fine", "UPDATE", 2, 3, false},
		{"broken under every statement", "UPDATE", 100, 4, true},
		{"broken during COMMIT", "COMMIT", 1, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, rec, err := sqlrecord.SQLServer(sqlServerAnswer, database.GormConfig(dbtest.Logger(), 0))
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			rec.FailWith(func(q string) error {
				if strings.HasPrefix(q, c.failing) && failed < c.failures {
					failed++
					return driver.ErrBadConn
				}
				return nil
			})
			calls := 0
			err = repositories.NewStore(db).InTx(context.Background(), func(tx *repositories.Store) error {
				calls++
				_, err := tx.Orders.TakeStock(context.Background(), 1, 1)
				return err
			})
			if calls != c.wantCalls {
				t.Errorf("the transaction ran %d times, want %d", calls, c.wantCalls)
			}
			if c.wantErr != (err != nil) || err != nil && !database.ConnectionLost(err) {
				t.Errorf("err = %v; want error: %v, and a ConnectionLost one if any", err, c.wantErr)
			}
		})
	}
}
