package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tienda/apptest"
)

// auditEntry is an entry as GET /audit renders it.
type auditEntry struct {
	ID       uint            `json:"id"`
	ActorID  uint            `json:"actor_id"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

func auditLog(t *testing.T, e *apptest.Env, token, query string) []auditEntry {
	t.Helper()
	var page struct {
		Items []auditEntry `json:"items"`
		Total int64        `json:"total"`
	}
	apptest.Expect(t, e.Get("/audit"+query, token), http.StatusOK, "GET /audit"+query).Decode(t, &page)
	if int(page.Total) < len(page.Items) {
		t.Fatalf("total %d < %d items", page.Total, len(page.Items))
	}
	return page.Items
}

func TestAuditLog(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, other, ana := e.Admin(), e.Admin(), e.Customer()
		b := newBrowser(t, e)
		b.signIn(admin.Email)

		// Through the console: a product is created and its stock adjusted.
		created := b.post("/admin/products", productForm("AUD-1", "Audited", "900", "5", true))
		id := productID(t, created.Location())
		b.follow("/admin/products/"+id+"/stock", url.Values{"delta": {"2"}})
		// Through the API: a price change by another admin, an order moved, a user promoted, a report.
		apptest.Expect(t, e.Patch("/products/"+id, other.Token, map[string]any{"price_cents": 950}), http.StatusOK, "patch")
		var o struct {
			ID uint `json:"id"`
		}
		apptest.Expect(t, e.Post("/orders", ana.Token, map[string]any{"items": []map[string]any{{"product_id": json.Number(id), "quantity": 1}}}),
			http.StatusCreated, "order").Decode(t, &o)
		apptest.Expect(t, e.Patch(fmt.Sprintf("/orders/%d/status", o.ID), other.Token, map[string]any{"status": "paid"}), http.StatusOK, "pay")
		apptest.Expect(t, e.Patch(fmt.Sprintf("/users/%d", ana.ID), other.Token, map[string]any{"full_name": "Ana P", "password": "a brand new password"}), http.StatusOK, "rename")
		apptest.Expect(t, e.Post("/reports/sales", other.Token, map[string]any{"from": "2026-11-01", "to": "2026-11-30"}), http.StatusAccepted, "report")
		// Refused changes leave nothing: the entry is written in the change's transaction.
		apptest.Expect(t, e.Patch(fmt.Sprintf("/orders/%d/status", o.ID), other.Token, map[string]any{"status": "delivered"}), http.StatusConflict, "bad move")
		expect(t, b.post("/admin/products", productForm("AUD-1", "Again", "1", "1", true)), http.StatusConflict, "duplicate SKU")
		expect(t, b.follow("/admin/products/"+id+"/stock", url.Values{"delta": {"-100"}}), http.StatusOK, "too much stock removed", "flash-error")

		log := auditLog(t, e, admin.Token, "")
		var actions []string
		for _, en := range log {
			actions = append(actions, en.Action)
		}
		want := "report.request user.update order.status product.update product.stock product.create"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("audit actions, newest first = %q, want %q", got, want)
		}
		create, stock, patch, user := log[5], log[4], log[3], log[1]
		if create.ActorID != admin.ID || create.Entity != "product" || create.EntityID != id || create.Before != nil ||
			!strings.Contains(string(create.After), `"sku":"AUD-1"`) {
			t.Fatalf("product.create entry = %+v", create)
		}
		if string(stock.Before) != `{"stock":5}` || string(stock.After) != `{"stock":7}` {
			t.Fatalf("product.stock entry: before %s after %s", stock.Before, stock.After)
		}
		if patch.ActorID != other.ID || !strings.Contains(string(patch.Before), `"price_cents":900`) || !strings.Contains(string(patch.After), `"price_cents":950`) {
			t.Fatalf("product.update entry = %+v", patch)
		}
		if !strings.Contains(string(user.After), `"password_changed":true`) || strings.Contains(string(user.After), "$2a$") ||
			strings.Contains(string(user.After), "brand new") {
			t.Fatalf("user.update entry after = %s: want password_changed and no secret", user.After)
		}

		// Filters and refusals of GET /audit.
		if got := auditLog(t, e, admin.Token, fmt.Sprintf("?actor_id=%d", admin.ID)); len(got) != 2 {
			t.Fatalf("actor filter: %d entries, want 2", len(got))
		}
		if got := auditLog(t, e, admin.Token, "?entity=order&action=order.status"); len(got) != 1 || got[0].EntityID != fmt.Sprint(o.ID) {
			t.Fatalf("entity+action filter = %+v", got)
		}
		apptest.Expect(t, e.Get("/audit?action=product.explode", admin.Token), http.StatusBadRequest, "unknown action")
		apptest.Expect(t, e.Get("/audit?sort=action", admin.Token), http.StatusBadRequest, "unknown sort")
		apptest.Expect(t, e.Get("/audit", e.Customer().Token), http.StatusForbidden, "a customer")
		apptest.Expect(t, e.Get("/audit", ""), http.StatusUnauthorized, "nobody")

		// The console page lists and filters the same entries.
		expect(t, b.get("/admin/audit"), http.StatusOK, "audit page", "report.request", "product.create", "&#34;sku&#34;:&#34;AUD-1&#34;")
		p := b.get("/admin/audit?action=product.stock")
		expect(t, p, http.StatusOK, "filtered audit page", "product.stock", "1 in all")
		expect(t, b.get("/admin/audit?entity=planet"), http.StatusBadRequest, "bad entity", "must be one of product")
		expect(t, b.get("/admin/audit?actor_id=999999"), http.StatusOK, "no entries", "No changes match")
	})
}
