package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tienda/apptest"
)

// placeOrder creates a product and orders qty of it through the API as customer.
func placeOrder(t *testing.T, e *apptest.Env, admin, customer apptest.User, sku string, qty int) uint {
	t.Helper()
	var p, o struct {
		ID uint `json:"id"`
	}
	apptest.Expect(t, e.Post("/products", admin.Token, map[string]any{
		"sku": sku, "name": "Item " + sku, "price_cents": 500, "stock": 10,
	}), http.StatusCreated, "create product").Decode(t, &p)
	apptest.Expect(t, e.Post("/orders", customer.Token, map[string]any{
		"items": []map[string]any{{"product_id": p.ID, "quantity": qty}},
	}), http.StatusCreated, "place order").Decode(t, &o)
	return o.ID
}

func TestOrderPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, ana, bob := e.Admin(), e.Customer(), e.Customer()
		b := newBrowser(t, e)
		b.signIn(admin.Email)
		expect(t, b.get("/admin/orders"), http.StatusOK, "no orders", "No orders match these filters.")

		first := placeOrder(t, e, admin, ana, "A-1", 2)
		second := placeOrder(t, e, admin, bob, "B-1", 1)
		path := fmt.Sprintf("/admin/orders/%d", first)

		list := b.get("/admin/orders")
		expect(t, list, http.StatusOK, "list", fmt.Sprintf(`href="/admin/orders/%d"`, first), fmt.Sprintf(`href="/admin/orders/%d"`, second))
		byAna := b.get(fmt.Sprintf("/admin/orders?user_id=%d", ana.ID))
		expect(t, byAna, http.StatusOK, "by customer", "1 in all")
		if strings.Contains(byAna.Body, fmt.Sprintf(`href="/admin/orders/%d"`, second)) {
			t.Fatalf("customer filter shows another customer's order")
		}
		today := e.Clock.Now().UTC().Format(time.DateOnly)
		expect(t, b.get("/admin/orders?from="+today+"&to="+today), http.StatusOK, "placed today", "2 in all")
		tomorrow := e.Clock.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		expect(t, b.get("/admin/orders?from="+tomorrow), http.StatusOK, "placed from tomorrow", "No orders match")
		expect(t, b.get("/admin/orders?status=lost"), http.StatusBadRequest, "unknown status", "must be one of pending")
		expect(t, b.get("/admin/orders?from=yesterday"), http.StatusBadRequest, "bad date", "must be a date")

		// The detail offers only the moves valid now.
		d := b.get(path)
		expect(t, d, http.StatusOK, "pending order", "Item A-1", "Mark as paid", "Cancel order", "10.00")
		if strings.Contains(d.Body, "Mark as shipped") {
			t.Fatalf("a pending order offers shipping")
		}
		expect(t, b.follow(path+"/status", url.Values{"status": {"paid"}}), http.StatusOK, "pay", "is now paid.", "Mark as shipped", "Cancel order")
		// A stale button (the order moved on) is a message, not an error page.
		expect(t, b.follow(path+"/status", url.Values{"status": {"paid"}}), http.StatusOK, "pay twice", `flash-error`, "The order is paid: cannot move it to paid.")
		d = b.follow(path+"/status", url.Values{"status": {"shipped"}})
		expect(t, d, http.StatusOK, "ship", "is now shipped.", "Mark as delivered")
		if strings.Contains(d.Body, "Cancel order") {
			t.Fatalf("a shipped order offers cancelling")
		}
		expect(t, b.follow(path+"/status", url.Values{"status": {"delivered"}}), http.StatusOK, "deliver", "nothing more can be done")

		// Cancel returns the stock.
		second2 := fmt.Sprintf("/admin/orders/%d", second)
		expect(t, b.follow(second2+"/cancel", url.Values{}), http.StatusOK, "cancel", "is cancelled; its stock is back.")
		expect(t, b.get("/admin/products?q=B-1"), http.StatusOK, "stock back", `<td class="num">10</td>`)
		expect(t, b.get("/admin/orders/999999"), http.StatusNotFound, "no such order", "order not found")

		p := b.do(http.MethodPost, second2+"/cancel", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"})
		expect(t, p, http.StatusForbidden, "cross-site cancel", "Request refused")
	})
}
