package console_test

import (
	"net/http"
	"testing"

	"tienda/apptest"
	"tienda/apptest/dbtest"
)

func TestDashboard(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		customer := e.Customer()
		b := newBrowser(t, e)
		b.signIn(admin.Email)
		expect(t, b.get("/admin/"), http.StatusOK, "empty dashboard", "No orders yet.", "No active product is running low.")

		var p struct {
			ID uint `json:"id"`
		}
		apptest.Expect(t, e.Post("/products", admin.Token, map[string]any{
			"sku": "MUG-1", "name": "Enamel <mug>", "price_cents": 1250, "stock": 7, "is_active": true,
		}), http.StatusCreated, "create product").Decode(t, &p)
		apptest.Expect(t, e.Post("/orders", customer.Token, map[string]any{
			"items": []map[string]any{{"product_id": p.ID, "quantity": 3}},
		}), http.StatusCreated, "place order")

		d := b.get("/admin/")
		expect(t, d, http.StatusOK, "dashboard with an order",
			`<p class="figure">1</p>`,     // orders today
			`<p class="figure">37.50</p>`, // revenue today
			"Enamel &lt;mug&gt;",          // low stock (4 <= 5), escaped
			`<span class="status status-pending">pending</span>`,
			"37.50 revenue, 1 orders</title>", // today's bar in the chart
			`<time datetime="`)
	})
}

func TestConsoleAddresses(t *testing.T) {
	e := apptest.New(t, dbtest.Engines()[0])
	b := newBrowser(t, e)
	if p := b.get("/admin"); p.Code != http.StatusMovedPermanently || p.Location() != "/admin/" {
		t.Fatalf("/admin: got %d to %q, want 301 to /admin/", p.Code, p.Location())
	}
	expect(t, b.get("/admin/static/console.css"), http.StatusOK, "stylesheet", ".flash")
	expect(t, b.get("/admin/no-such-page"), http.StatusNotFound, "unknown page", "Page not found")
}
