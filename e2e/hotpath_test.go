package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"tienda/apptest"
)

// The tests below pin the behaviour of the queries written out by hand for the load
// benchmark's hot paths (repositories.Products.Get, repositories.Users.Session): same answers
// as the GORM queries they replaced, on every engine.

func TestGetProductVisibility(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		var created apptest.Product
		apptest.Expect(t, e.Post("/products", admin.Token, map[string]any{
			"sku": "MUG-1", "name": "Enamel mug", "description": "Blue, 350 ml", "price_cents": 1299, "stock": 25,
		}), http.StatusCreated, "create").Decode(t, &created)
		path := fmt.Sprintf("/products/%d", created.ID)

		var got apptest.Product
		apptest.Expect(t, e.Get(path, ""), http.StatusOK, "anonymous read").Decode(t, &got)
		if got != created {
			t.Errorf("GET %s = %+v, want what POST answered: %+v", path, got, created)
		}
		if got.CreatedAt.Location() != time.UTC || got.CreatedAt.IsZero() {
			t.Errorf("created_at = %v, want a UTC time", got.CreatedAt)
		}

		inactive := newProduct(t, e, admin, "OFF-1", 100, 1)
		apptest.Expect(t, e.Patch(fmt.Sprintf("/products/%d", inactive), admin.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate")
		deleted := newProduct(t, e, admin, "DEL-1", 100, 1)
		apptest.Expect(t, e.Delete(fmt.Sprintf("/products/%d", deleted), admin.Token), http.StatusNoContent, "delete")

		cases := []struct {
			name  string
			id    uint
			token string
			code  int
		}{
			{"inactive, anonymous", inactive, "", http.StatusNotFound},
			{"inactive, customer", inactive, cust.Token, http.StatusNotFound},
			{"inactive, admin", inactive, admin.Token, http.StatusOK},
			{"deleted, admin", deleted, admin.Token, http.StatusNotFound},
			{"unknown", 999_999, "", http.StatusNotFound},
		}
		for _, c := range cases {
			r := e.Get(fmt.Sprintf("/products/%d", c.id), c.token)
			if r.Code != c.code {
				t.Errorf("%s: got %s, want %d", c.name, r, c.code)
			}
			if c.code == http.StatusNotFound && r.ErrorCode() != "not_found" {
				t.Errorf("%s: error code %q, want not_found", c.name, r.ErrorCode())
			}
		}
	})
}

// TestSessionCheckedOnEveryRequest checks that a token stops working at once when its user is
// deactivated, deleted or changes password, and that the role comes from the database.
func TestSessionCheckedOnEveryRequest(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		deactivated, deleted, repassworded := e.Customer(), e.Customer(), e.Customer()
		for _, u := range []apptest.User{deactivated, deleted, repassworded} {
			apptest.Expect(t, e.Get("/users/me", u.Token), http.StatusOK, "before: "+u.Email)
		}

		users := func(id uint) string { return fmt.Sprintf("/users/%d", id) }
		apptest.Expect(t, e.Patch(users(deactivated.ID), admin.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate")
		apptest.Expect(t, e.Delete(users(deleted.ID), admin.Token), http.StatusNoContent, "delete")
		apptest.Expect(t, e.Patch(users(repassworded.ID), admin.Token, map[string]any{"password": "another long password"}), http.StatusOK, "new password")
		for _, u := range []apptest.User{deactivated, deleted, repassworded} {
			r := e.Post("/orders", u.Token, orderBody(line{ProductID: 1, Quantity: 1}))
			if r.Code != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
				t.Errorf("%s after the change: got %s, want 401 unauthorized", u.Email, r)
			}
		}

		// Reactivation does not bring the old session back (issue #16); a new login does.
		apptest.Expect(t, e.Patch(users(deactivated.ID), admin.Token, map[string]any{"is_active": true}), http.StatusOK, "reactivate")
		apptest.Expect(t, e.Get("/users/me", deactivated.Token), http.StatusUnauthorized, "reactivated user's old token")
		reactivated := e.Login(deactivated.Email)

		// A role change ends the session too: the role is read on every request, and the token
		// from before the change is refused.
		apptest.Expect(t, e.Get("/users", reactivated.Token), http.StatusForbidden, "customer lists users")
		apptest.Expect(t, e.Patch(users(deactivated.ID), admin.Token, map[string]any{"role": "admin"}), http.StatusOK, "promote")
		apptest.Expect(t, e.Get("/users", reactivated.Token), http.StatusUnauthorized, "promoted user's old token")
		apptest.Expect(t, e.Get("/users", e.Login(deactivated.Email).Token), http.StatusOK, "promoted user lists users with a new token")
	})
}
