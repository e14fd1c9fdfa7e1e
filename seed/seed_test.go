package seed_test

import (
	"net/http"
	"testing"

	"tienda/apptest"
	"tienda/models"
	"tienda/seed"
)

func services(e *apptest.Env) seed.Services {
	return seed.Services{Users: e.App.Users, Products: e.App.Products, Orders: e.App.Orders}
}

func count(t *testing.T, e *apptest.Env, model any) int64 {
	t.Helper()
	var n int64
	if err := e.DB.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeedIsIdempotentAndUsable(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		first, err := seed.Run(t.Context(), services(e), seed.Options{Products: 12})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Accounts) != 2 || !first.Accounts[0].Created || first.Accounts[0].Password == "" ||
			first.Accounts[0].Role != models.RoleAdmin || first.Accounts[1].Role != models.RoleCustomer {
			t.Fatalf("first run accounts %+v: want a created admin and customer with passwords", first.Accounts)
		}
		if first.ProductsCreated != 12 || first.ProductsExisting != 0 || first.OrdersCreated != 3 {
			t.Fatalf("first run %+v: want 12 products and 3 orders created", first)
		}

		// The printed credentials work through the API.
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		apptest.Expect(t, e.Post("/auth/login", "", map[string]string{
			"email": seed.AdminEmail, "password": first.Accounts[0].Password,
		}), http.StatusOK, "admin login with the seeded password").Decode(t, &tok)
		apptest.Expect(t, e.Get("/users", tok.AccessToken), http.StatusOK, "the seeded admin is an admin")
		var page struct {
			Total int64 `json:"total"`
			Items []struct {
				SKU   string `json:"sku"`
				Name  string `json:"name"`
				Price int64  `json:"price_cents"`
			} `json:"items"`
		}
		apptest.Expect(t, e.Get("/products?q=DEMO-&sort=id", ""), http.StatusOK, "list demo products").Decode(t, &page)
		if page.Total != 12 || page.Items[0].SKU != "DEMO-0001" || page.Items[0].Name != seed.Product(1).Name || page.Items[0].Price <= 0 {
			t.Errorf("demo products %+v: want 12, starting with DEMO-0001 %q", page, seed.Product(1).Name)
		}
		var statuses []string
		e.DB.Model(&models.Order{}).Order("id").Pluck("status", &statuses)
		if len(statuses) != 3 || statuses[0] != "pending" || statuses[1] != "paid" || statuses[2] != "cancelled" {
			t.Errorf("order statuses %v: want pending, paid, cancelled", statuses)
		}

		again, err := seed.Run(t.Context(), services(e), seed.Options{Products: 15})
		if err != nil {
			t.Fatal(err)
		}
		if again.Accounts[0].Created || again.Accounts[0].Password != "" || again.Accounts[1].Created {
			t.Errorf("second run accounts %+v: want both found, passwords untouched", again.Accounts)
		}
		if again.ProductsCreated != 3 || again.ProductsExisting != 12 || again.OrdersCreated != 0 {
			t.Errorf("second run %+v: want only the 3 new products, no orders", again)
		}
		if u, p, o := count(t, e, &models.User{}), count(t, e, &models.Product{}), count(t, e, &models.Order{}); u != 2 || p != 15 || o != 3 {
			t.Errorf("after two runs: %d users, %d products, %d orders; want 2, 15, 3", u, p, o)
		}
		apptest.Expect(t, e.Post("/auth/login", "", map[string]string{
			"email": seed.AdminEmail, "password": first.Accounts[0].Password,
		}), http.StatusOK, "the admin's password survives a second run")
	})
}

func TestSeedWithoutProductsMakesNoOrders(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		rep, err := seed.Run(t.Context(), services(e), seed.Options{Products: 0})
		if err != nil || rep.OrdersCreated != 0 || len(rep.Accounts) != 2 {
			t.Fatalf("seed --products 0: %+v, %v; want the two accounts and nothing else", rep, err)
		}
		if _, err := seed.Run(t.Context(), services(e), seed.Options{Products: -1}); err == nil {
			t.Error("a negative product count was accepted")
		}
	})
}

func TestCatalogueNamesAreDistinct(t *testing.T) {
	seen := map[string]int{}
	for i := 1; i <= seed.MaxProducts; i++ {
		p := seed.Product(i)
		if j, dup := seen[p.Name]; dup {
			t.Fatalf("products %d and %d are both named %q", j, i, p.Name)
		}
		seen[p.Name] = i
		if p.PriceCents <= 0 || p.Stock < 3 || len(p.SKU) > 64 || len(p.Name) > 200 {
			t.Fatalf("product %d = %+v breaks the contract's limits", i, p)
		}
	}
}
