package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tienda/apptest"
	"tienda/models"
	"tienda/services"
)

type orderJSON struct {
	ID         uint   `json:"id"`
	UserID     uint   `json:"user_id"`
	Status     string `json:"status"`
	TotalCents int64  `json:"total_cents"`
	Items      []struct {
		ProductID      uint   `json:"product_id"`
		SKU            string `json:"sku"`
		Name           string `json:"name"`
		Quantity       int64  `json:"quantity"`
		UnitPriceCents int64  `json:"unit_price_cents"`
		LineTotalCents int64  `json:"line_total_cents"`
	} `json:"items"`
}

type line struct {
	ProductID uint  `json:"product_id"`
	Quantity  int64 `json:"quantity"`
}

func orderBody(lines ...line) map[string]any { return map[string]any{"items": lines} }

// newProduct creates an active product through the API and returns its id.
func newProduct(t *testing.T, e *apptest.Env, admin apptest.User, sku string, price, stock int64) uint {
	t.Helper()
	return createProduct(t, e, admin.Token, productBody(sku, "Product "+sku, price, stock)).ID
}

func stockOf(t *testing.T, db *gorm.DB, id uint) int64 {
	t.Helper()
	var p models.Product
	if err := db.Unscoped().Take(&p, id).Error; err != nil {
		t.Fatal(err)
	}
	return p.Stock
}

func countRows(t *testing.T, db *gorm.DB, model any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func placeOrder(t *testing.T, e *apptest.Env, u apptest.User, want int, lines ...line) orderJSON {
	t.Helper()
	var o orderJSON
	r := apptest.Expect(t, e.Post("/orders", u.Token, orderBody(lines...)), want, "place order")
	if want < 300 {
		r.Decode(t, &o)
	}
	return o
}

func TestPlaceOrderCopiesPricesAndTakesStock(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		mug := newProduct(t, e, admin, "MUG", 1299, 10)
		tee := newProduct(t, e, admin, "TEE", 2500, 5)

		o := placeOrder(t, e, cust, http.StatusCreated, line{tee, 2}, line{mug, 3})
		if o.Status != "pending" || o.UserID != cust.ID || o.TotalCents != 2*2500+3*1299 {
			t.Fatalf("order = %+v; want pending, user %d, total %d", o, cust.ID, 2*2500+3*1299)
		}
		if len(o.Items) != 2 || o.Items[0].ProductID != tee || o.Items[0].SKU != "TEE" ||
			o.Items[0].UnitPriceCents != 2500 || o.Items[0].LineTotalCents != 5000 || o.Items[1].Quantity != 3 {
			t.Fatalf("items = %+v; want the lines in request order with copied SKU and price", o.Items)
		}
		if got := stockOf(t, e.DB, mug); got != 7 {
			t.Errorf("mug stock = %d, want 7", got)
		}
		if got := stockOf(t, e.DB, tee); got != 3 {
			t.Errorf("tee stock = %d, want 3", got)
		}

		// A later price change does not touch the order.
		apptest.Expect(t, e.Patch(fmt.Sprintf("/products/%d", mug), admin.Token, map[string]any{"price_cents": 1, "name": "Renamed"}), http.StatusOK, "reprice")
		var again orderJSON
		apptest.Expect(t, e.Get(fmt.Sprintf("/orders/%d", o.ID), cust.Token), http.StatusOK, "get order").Decode(t, &again)
		if again.TotalCents != o.TotalCents || again.Items[1].UnitPriceCents != 1299 || again.Items[1].Name != "Product MUG" {
			t.Errorf("after repricing the product the order changed: %+v", again)
		}

		// The confirmation job was recorded with the order.
		var msgs []models.OutboxMessage
		e.DB.Where("order_id = ?", o.ID).Find(&msgs)
		if len(msgs) != 1 || msgs[0].Task != "send_order_confirmation" || msgs[0].Recipient != cust.Email || msgs[0].State != models.OutboxPending {
			t.Errorf("outbox for order %d = %+v; want one pending confirmation to %s", o.ID, msgs, cust.Email)
		}
	})
}

func TestPlaceOrderValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 1000)
		many := make([]line, 51)
		for i := range many {
			many[i] = line{uint(1000 + i), 1}
		}
		cases := []struct {
			name  string
			body  any
			code  int
			field string
		}{
			{"no lines", orderBody(), http.StatusUnprocessableEntity, "items"},
			{"items missing", map[string]any{}, http.StatusUnprocessableEntity, "items"},
			{"51 lines", orderBody(many...), http.StatusUnprocessableEntity, "items"},
			{"quantity 0", orderBody(line{p, 0}), http.StatusUnprocessableEntity, "items[0].quantity"},
			{"quantity 1001", orderBody(line{p, 1001}), http.StatusUnprocessableEntity, "items[0].quantity"},
			{"negative quantity", orderBody(line{p, -5}), http.StatusUnprocessableEntity, "items[0].quantity"},
			{"product twice", orderBody(line{p, 1}, line{p, 2}), http.StatusUnprocessableEntity, "items[1].product_id"},
			{"product id 0", orderBody(line{0, 1}), http.StatusUnprocessableEntity, "items[0].product_id"},
			{"quantity as string", `{"items":[{"product_id":1,"quantity":"2"}]}`, http.StatusBadRequest, "items.quantity"},
			{"items not an array", `{"items":{}}`, http.StatusBadRequest, "items"},
			{"malformed JSON", `{"items":[`, http.StatusBadRequest, ""},
		}
		for _, c := range cases {
			r := e.Post("/orders", cust.Token, c.body)
			if r.Code != c.code || c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: got %s, want %d naming %q", c.name, r, c.code, c.field)
			}
		}
		if n := countRows(t, e.DB, &models.Order{}); n != 0 {
			t.Errorf("%d orders exist after invalid requests, want 0", n)
		}
		if got := stockOf(t, e.DB, p); got != 1000 {
			t.Errorf("stock = %d after invalid requests, want 1000", got)
		}
	})
}

// TestPlaceOrderUnavailableChangesNothing checks that a line that cannot be served fails the
// whole order with the right status and leaves every other line's stock as it was.
func TestPlaceOrderUnavailableChangesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		ok := newProduct(t, e, admin, "OK", 100, 10)
		low := newProduct(t, e, admin, "LOW", 100, 2)
		inactive := newProduct(t, e, admin, "OFF", 100, 10)
		apptest.Expect(t, e.Patch(fmt.Sprintf("/products/%d", inactive), admin.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate")
		deleted := newProduct(t, e, admin, "DEL", 100, 10)
		apptest.Expect(t, e.Delete(fmt.Sprintf("/products/%d", deleted), admin.Token), http.StatusNoContent, "delete")

		cases := []struct {
			name  string
			lines []line
			code  int
			want  string
		}{
			{"unknown product", []line{{ok, 1}, {99999, 1}}, http.StatusUnprocessableEntity, `"field":"items[1].product_id"`},
			{"inactive product", []line{{ok, 1}, {inactive, 1}}, http.StatusUnprocessableEntity, `"field":"items[1].product_id"`},
			{"deleted product", []line{{deleted, 1}, {ok, 1}}, http.StatusUnprocessableEntity, `"field":"items[0].product_id"`},
			{"not enough stock", []line{{ok, 5}, {low, 3}}, http.StatusConflict, fmt.Sprintf("product %d", low)},
		}
		for _, c := range cases {
			r := e.Post("/orders", cust.Token, orderBody(c.lines...))
			if r.Code != c.code || !strings.Contains(string(r.Body), c.want) {
				t.Errorf("%s: got %s, want %d mentioning %s", c.name, r, c.code, c.want)
			}
		}
		for id, want := range map[uint]int64{ok: 10, low: 2, inactive: 10, deleted: 10} {
			if got := stockOf(t, e.DB, id); got != want {
				t.Errorf("product %d stock = %d, want %d (nothing may change)", id, got, want)
			}
		}
		if n := countRows(t, e.DB, &models.Order{}) + countRows(t, e.DB, &models.OutboxMessage{}); n != 0 {
			t.Errorf("%d orders/outbox rows exist after failed orders, want 0", n)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust, other := e.Admin(), e.Customer(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 100)
		send := func(u apptest.User, key string, qty int64) apptest.Response {
			return e.Do(apptest.Request{Method: http.MethodPost, Path: "/orders", Token: u.Token,
				Body: orderBody(line{p, qty}), Headers: map[string]string{"Idempotency-Key": key}})
		}
		var first, second orderJSON
		apptest.Expect(t, send(cust, "k-1", 2), http.StatusCreated, "first").Decode(t, &first)
		apptest.Expect(t, send(cust, "k-1", 2), http.StatusOK, "retry").Decode(t, &second)
		if second.ID != first.ID || second.TotalCents != first.TotalCents {
			t.Errorf("retry returned order %+v, want the first %+v", second, first)
		}
		if got := stockOf(t, e.DB, p); got != 98 {
			t.Errorf("stock = %d after a retried order of 2, want 98", got)
		}
		if r := send(cust, "k-1", 3); r.Code != http.StatusConflict {
			t.Errorf("same key, other body: got %s, want 409", r)
		}
		var theirs orderJSON
		apptest.Expect(t, send(other, "k-1", 2), http.StatusCreated, "same key, other user").Decode(t, &theirs)
		if theirs.ID == first.ID {
			t.Error("keys must be scoped to the user: another user's order came back")
		}
		for name, key := range map[string]string{"too long": strings.Repeat("k", 129), "control char": "a\tb"} {
			if r := send(cust, key, 1); r.Code != http.StatusBadRequest || !strings.Contains(string(r.Body), "Idempotency-Key") {
				t.Errorf("%s key: got %s, want 400 naming Idempotency-Key", name, r)
			}
		}
		apptest.Expect(t, send(cust, strings.Repeat("k", 128), 1), http.StatusCreated, "128-char key")

		// After the key expires, it makes a new order; the purge removes expired keys.
		e.Clock.Advance(25 * time.Hour)
		cust = e.Login(cust.Email) // the old token expired with the clock
		var later orderJSON
		apptest.Expect(t, send(cust, "k-1", 2), http.StatusCreated, "after expiry").Decode(t, &later)
		if later.ID == first.ID {
			t.Error("an expired key still returned the old order")
		}
		e.Clock.Advance(25 * time.Hour)
		n, err := e.App.Orders.PurgeExpiredKeys(t.Context(), services.System("test"))
		if err != nil || n != 3 {
			t.Errorf("purge = %d, %v; want the 3 keys expired by now", n, err)
		}
	})
}

// run starts n goroutines on a barrier and waits for all.
func run(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// TestNoOversell races 200 orders of one unit for a product with 50 in stock.
// TestIdempotencyKeysAreCaseSensitive: an Idempotency-Key is an opaque token, so keys that
// differ only in case are different keys on every engine (they were one key on MariaDB, whose
// case-insensitive collation the column had, and two on SQLite).
func TestIdempotencyKeysAreCaseSensitive(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		p := newProduct(t, e, admin, "IDEM-CASE", 100, 100)
		send := func(key string) apptest.Response {
			return e.Do(apptest.Request{Method: http.MethodPost, Path: "/orders", Token: cust.Token,
				Body: orderBody(line{p, 1}), Headers: map[string]string{"Idempotency-Key": key}})
		}
		ids := map[uint]string{}
		for _, key := range []string{"Key-A", "key-a", "KEY-A", "kEy-A"} {
			o := decode[orderJSON](t, send(key), http.StatusCreated, "order with Idempotency-Key "+key)
			if other, ok := ids[o.ID]; ok {
				t.Errorf("keys %q and %q gave the same order %d", other, key, o.ID)
			}
			ids[o.ID] = key
		}
		again := decode[orderJSON](t, send("key-a"), http.StatusOK, "retry with key-a")
		if ids[again.ID] != "key-a" {
			t.Errorf("retry with key-a returned the order of %q", ids[again.ID])
		}
		if s := stockOf(t, e.DB, p); s != 96 {
			t.Errorf("stock %d, want 96 after four orders", s)
		}
	})
}

func TestNoOversell(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		customers := []apptest.User{e.Customer(), e.Customer(), e.Customer(), e.Customer()}
		p := newProduct(t, e, admin, "HOT", 500, 50)
		codes := make([]int, 200)
		run(len(codes), func(i int) {
			codes[i] = e.Post("/orders", customers[i%len(customers)].Token, orderBody(line{p, 1})).Code
		})
		count := map[int]int{}
		for _, c := range codes {
			count[c]++
		}
		if count[http.StatusCreated] != 50 || count[http.StatusConflict] != 150 {
			t.Fatalf("statuses = %v; want exactly 50 × 201 and 150 × 409", count)
		}
		if got := stockOf(t, e.DB, p); got != 0 {
			t.Errorf("stock = %d, want 0", got)
		}
		var sold int64
		e.DB.Model(&models.OrderItem{}).Where("product_id = ?", p).Select("COALESCE(SUM(quantity), 0)").Scan(&sold)
		if sold != 50 {
			t.Errorf("units sold = %d, want 50", sold)
		}
	})
}

// TestOverlappingOrdersDoNotDeadlock races multi-line orders over the same products listed in
// opposite orders; locks are taken in product-id order, so none fails.
func TestOverlappingOrdersDoNotDeadlock(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		customers := []apptest.User{e.Customer(), e.Customer(), e.Customer()}
		a := newProduct(t, e, admin, "A", 100, 1000)
		b := newProduct(t, e, admin, "B", 100, 1000)
		c := newProduct(t, e, admin, "C", 100, 1000)
		const n = 60
		codes := make([]int, n)
		run(n, func(i int) {
			lines := []line{{a, 1}, {b, 2}, {c, 3}}
			if i%2 == 1 {
				lines = []line{{c, 3}, {b, 2}, {a, 1}}
			}
			r := e.Post("/orders", customers[i%len(customers)].Token, orderBody(lines...))
			codes[i] = r.Code
		})
		for i, code := range codes {
			if code != http.StatusCreated {
				t.Errorf("order %d: status %d, want 201 (no deadlock may reach the client)", i, code)
			}
		}
		for id, want := range map[uint]int64{a: 1000 - n, b: 1000 - 2*n, c: 1000 - 3*n} {
			if got := stockOf(t, e.DB, id); got != want {
				t.Errorf("product %d stock = %d, want %d", id, got, want)
			}
		}
	})
}

// TestConcurrentIdempotentRetries sends 20 requests with one key at once: one order is made.
func TestConcurrentIdempotentRetries(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 100)
		ids := make([]uint, 20)
		codes := make([]int, 20)
		run(20, func(i int) {
			r := e.Do(apptest.Request{Method: http.MethodPost, Path: "/orders", Token: cust.Token,
				Body: orderBody(line{p, 1}), Headers: map[string]string{"Idempotency-Key": "same"}})
			codes[i] = r.Code
			var o orderJSON
			_ = json.Unmarshal(r.Body, &o)
			ids[i] = o.ID
		})
		created := 0
		for i := range codes {
			switch {
			case codes[i] == http.StatusCreated:
				created++
			case codes[i] != http.StatusOK:
				t.Errorf("request %d: status %d, want 200 or 201", i, codes[i])
			}
			if ids[i] != ids[0] {
				t.Errorf("request %d got order %d, request 0 got %d; want one order", i, ids[i], ids[0])
			}
		}
		if created != 1 {
			t.Errorf("%d requests created an order, want exactly 1", created)
		}
		if n := countRows(t, e.DB, &models.Order{}); n != 1 {
			t.Errorf("%d orders exist, want 1", n)
		}
		if got := stockOf(t, e.DB, p); got != 99 {
			t.Errorf("stock = %d, want 99", got)
		}
	})
}

// TestConcurrentCancelsReturnStockOnce races ten cancels of one order.
func TestConcurrentCancelsReturnStockOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 10)
		o := placeOrder(t, e, cust, http.StatusCreated, line{p, 4})
		codes := make([]int, 10)
		run(10, func(i int) {
			u := cust
			if i%2 == 0 {
				u = admin
			}
			codes[i] = e.Post(fmt.Sprintf("/orders/%d/cancel", o.ID), u.Token, nil).Code
		})
		count := map[int]int{}
		for _, c := range codes {
			count[c]++
		}
		if count[http.StatusOK] != 1 || count[http.StatusConflict] != 9 {
			t.Errorf("statuses = %v; want one 200 and nine 409", count)
		}
		if got := stockOf(t, e.DB, p); got != 10 {
			t.Errorf("stock = %d after cancelling, want 10 (returned once)", got)
		}
		var n int64
		e.DB.Model(&models.OutboxMessage{}).Where("order_id = ? AND task = ?", o.ID, "send_order_cancelled").Count(&n)
		if n != 1 {
			t.Errorf("%d cancellation notices recorded, want 1", n)
		}
	})
}

func TestCancelRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust, other := e.Admin(), e.Customer(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 100)
		cancel := func(u apptest.User, id uint) apptest.Response {
			return e.Post(fmt.Sprintf("/orders/%d/cancel", id), u.Token, nil)
		}
		status := func(id uint, s string) apptest.Response {
			return e.Patch(fmt.Sprintf("/orders/%d/status", id), admin.Token, map[string]string{"status": s})
		}

		pending := placeOrder(t, e, cust, http.StatusCreated, line{p, 1})
		if r := cancel(other, pending.ID); r.Code != http.StatusNotFound {
			t.Errorf("another customer cancels: got %s, want 404", r)
		}
		var cancelled orderJSON
		apptest.Expect(t, cancel(cust, pending.ID), http.StatusOK, "owner cancels pending").Decode(t, &cancelled)
		if cancelled.Status != "cancelled" {
			t.Errorf("status after cancel = %q", cancelled.Status)
		}
		if r := cancel(cust, pending.ID); r.Code != http.StatusConflict {
			t.Errorf("cancel twice: got %s, want 409", r)
		}

		paid := placeOrder(t, e, cust, http.StatusCreated, line{p, 2})
		apptest.Expect(t, status(paid.ID, "paid"), http.StatusOK, "pay")
		if r := cancel(cust, paid.ID); r.Code != http.StatusConflict {
			t.Errorf("owner cancels paid: got %s, want 409", r)
		}
		apptest.Expect(t, cancel(admin, paid.ID), http.StatusOK, "admin cancels paid")

		shipped := placeOrder(t, e, cust, http.StatusCreated, line{p, 3})
		apptest.Expect(t, status(shipped.ID, "paid"), http.StatusOK, "pay")
		apptest.Expect(t, status(shipped.ID, "shipped"), http.StatusOK, "ship")
		if r := cancel(admin, shipped.ID); r.Code != http.StatusConflict {
			t.Errorf("admin cancels shipped: got %s, want 409", r)
		}
		if r := cancel(admin, 99999); r.Code != http.StatusNotFound {
			t.Errorf("cancel unknown: got %s, want 404", r)
		}
		if got := stockOf(t, e.DB, p); got != 97 {
			t.Errorf("stock = %d, want 97 (100 - 3 shipped; the cancelled 1 and 2 returned)", got)
		}
	})
}

func TestStatusWorkflow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 100)
		o := placeOrder(t, e, cust, http.StatusCreated, line{p, 1})
		path := fmt.Sprintf("/orders/%d/status", o.ID)
		set := func(u apptest.User, s string) apptest.Response {
			return e.Patch(path, u.Token, map[string]string{"status": s})
		}
		if r := set(cust, "paid"); r.Code != http.StatusForbidden {
			t.Errorf("customer sets status: got %s, want 403", r)
		}
		steps := []struct {
			to   string
			code int
		}{
			{"shipped", http.StatusConflict},   // skips paid
			{"delivered", http.StatusConflict}, // skips two
			{"pending", http.StatusConflict},   // already pending
			{"cancelled", http.StatusConflict}, // cancelling has its own endpoint
			{"bogus", http.StatusUnprocessableEntity},
			{"paid", http.StatusOK},
			{"paid", http.StatusConflict},
			{"pending", http.StatusConflict}, // no way back
			{"shipped", http.StatusOK},
			{"delivered", http.StatusOK},
			{"shipped", http.StatusConflict},
		}
		for _, s := range steps {
			if r := set(admin, s.to); r.Code != s.code {
				t.Errorf("move to %s: got %s, want %d", s.to, r, s.code)
			}
		}
		if r := e.Patch("/orders/99999/status", admin.Token, map[string]string{"status": "paid"}); r.Code != http.StatusNotFound {
			t.Errorf("unknown order: got %s, want 404", r)
		}
	})
}

func TestOrderVisibility(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, ana, bob := e.Admin(), e.Customer(), e.Customer()
		p := newProduct(t, e, admin, "P", 100, 1000)
		var anas, bobs []orderJSON
		for i := range 3 {
			anas = append(anas, placeOrder(t, e, ana, http.StatusCreated, line{p, int64(i + 1)}))
		}
		bobs = append(bobs, placeOrder(t, e, bob, http.StatusCreated, line{p, 5}))

		if r := e.Get(fmt.Sprintf("/orders/%d", bobs[0].ID), ana.Token); r.Code != http.StatusNotFound {
			t.Errorf("ana reads bob's order: got %s, want 404", r)
		}
		apptest.Expect(t, e.Get(fmt.Sprintf("/orders/%d", bobs[0].ID), admin.Token), http.StatusOK, "admin reads bob's order")
		if r := e.Get(fmt.Sprintf("/orders/%d", anas[0].ID), ""); r.Code != http.StatusUnauthorized {
			t.Errorf("anonymous reads an order: got %s, want 401", r)
		}

		list := func(token, query string) (ids []uint, total int64) {
			var page struct {
				Items []orderJSON `json:"items"`
				Total int64       `json:"total"`
			}
			apptest.Expect(t, e.Get("/orders"+query, token), http.StatusOK, "list "+query).Decode(t, &page)
			for _, o := range page.Items {
				ids = append(ids, o.ID)
			}
			return ids, page.Total
		}
		if ids, total := list(ana.Token, ""); total != 3 || len(ids) != 3 {
			t.Errorf("ana's list = %v (total %d), want her 3 orders", ids, total)
		}
		if ids, total := list(ana.Token, fmt.Sprintf("?user_id=%d", bob.ID)); total != 0 {
			t.Errorf("ana filtering on bob = %v, want nothing", ids)
		}
		if _, total := list(admin.Token, ""); total != 4 {
			t.Errorf("admin list total = %d, want 4", total)
		}
		if ids, _ := list(admin.Token, fmt.Sprintf("?user_id=%d", bob.ID)); len(ids) != 1 || ids[0] != bobs[0].ID {
			t.Errorf("admin filtering on bob = %v, want [%d]", ids, bobs[0].ID)
		}
		apptest.Expect(t, e.Post(fmt.Sprintf("/orders/%d/cancel", anas[1].ID), ana.Token, nil), http.StatusOK, "cancel")
		if ids, _ := list(ana.Token, "?status=cancelled"); len(ids) != 1 || ids[0] != anas[1].ID {
			t.Errorf("status filter = %v, want [%d]", ids, anas[1].ID)
		}
		if ids, _ := list(ana.Token, "?sort=-total_cents"); len(ids) != 3 || ids[0] != anas[2].ID || ids[2] != anas[0].ID {
			t.Errorf("sort -total_cents = %v, want largest first", ids)
		}
		if ids, _ := list(ana.Token, "?sort=-id&page_size=2&page=2"); len(ids) != 1 || ids[0] != anas[0].ID {
			t.Errorf("second page by -id = %v, want [%d]", ids, anas[0].ID)
		}
		for _, q := range []string{"?status=lost", "?sort=user_id", "?user_id=abc", "?page_size=101"} {
			if r := e.Get("/orders"+q, ana.Token); r.Code != http.StatusBadRequest {
				t.Errorf("list %s: got %s, want 400", q, r)
			}
		}
	})
}

// TestOrderListQueryCount checks the list loads items without N+1 queries: a page of 2 orders
// and a page of 25 take the same number of queries.
func TestOrderListQueryCount(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		a := newProduct(t, e, admin, "A", 100, 1000)
		b := newProduct(t, e, admin, "B", 100, 1000)
		for range 25 {
			placeOrder(t, e, cust, http.StatusCreated, line{a, 1}, line{b, 1})
		}
		var mu sync.Mutex
		queries := 0
		if err := e.DB.Callback().Query().After("gorm:query").Register("test:count", func(*gorm.DB) {
			mu.Lock()
			queries++
			mu.Unlock()
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.DB.Callback().Query().Remove("test:count") })
		count := func(pageSize int) int {
			mu.Lock()
			queries = 0
			mu.Unlock()
			var page struct {
				Items []orderJSON `json:"items"`
			}
			apptest.Expect(t, e.Get(fmt.Sprintf("/orders?page_size=%d", pageSize), cust.Token), http.StatusOK, "list").Decode(t, &page)
			for _, o := range page.Items {
				if len(o.Items) != 2 {
					t.Fatalf("order %d has %d items, want 2", o.ID, len(o.Items))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			return queries
		}
		small, large := count(2), count(25)
		if small != large || large > 4 {
			t.Errorf("queries: page of 2 = %d, page of 25 = %d; want equal and at most 4 (session, count, page, items)", small, large)
		}
	})
}
