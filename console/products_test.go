package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tienda/apptest"
)

// productForm is a complete product form.
func productForm(sku, name, price, stock string, active bool) url.Values {
	v := url.Values{"sku": {sku}, "name": {name}, "description": {"A " + name}, "price_cents": {price}, "stock": {stock}}
	if active {
		v.Set("is_active", "true")
	}
	return v
}

// productID returns the id of the product page a creation redirected to.
func productID(t *testing.T, location string) string {
	t.Helper()
	id, ok := strings.CutPrefix(location, "/admin/products/")
	if !ok || id == "" || strings.Contains(id, "/") {
		t.Fatalf("redirect to %q, want /admin/products/{id}", location)
	}
	return id
}

func TestProductPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		b := newBrowser(t, e)
		b.signIn(admin.Email)

		expect(t, b.get("/admin/products"), http.StatusOK, "empty list", "No products match these filters.", `<label for="f-q">`)

		// Create: a validation error is shown next to its field, with the values kept.
		p := b.post("/admin/products", productForm("", "Mug", "12x", "3", true))
		expect(t, p, http.StatusUnprocessableEntity, "invalid product",
			`<p class="field-error" id="price_cents-error">must be a whole number of cents</p>`, `value="Mug"`)
		p = b.post("/admin/products", productForm("", "Mug", "1200", "3", true))
		expect(t, p, http.StatusUnprocessableEntity, "empty SKU", `<p class="field-error" id="sku-error">must not be empty</p>`, `aria-invalid="true"`)

		created := b.post("/admin/products", productForm("MUG-1", "Enamel mug", "1250", "3", true))
		expectRedirect(t, created, created.Location(), "create")
		id := productID(t, created.Location())
		expect(t, b.get(created.Location()), http.StatusOK, "product page", "Product MUG-1 created.", `value="Enamel mug"`, "Stock: 3")
		var api struct {
			PriceCents int64 `json:"price_cents"`
			IsActive   bool  `json:"is_active"`
		}
		apptest.Expect(t, e.Get("/products/"+id, ""), http.StatusOK, "the API sees the product").Decode(t, &api)
		if api.PriceCents != 1250 || !api.IsActive {
			t.Fatalf("API product = %+v, want 1250 cents, active", api)
		}

		// A duplicate SKU is the service's conflict, shown on the form.
		expect(t, b.post("/admin/products", productForm("MUG-1", "Other", "100", "1", true)), http.StatusConflict,
			"duplicate SKU", `a product with SKU &#34;MUG-1&#34; already exists`)

		// Edit.
		expect(t, b.follow("/admin/products/"+id, productForm("MUG-1", "Blue mug", "1300", "3", true)), http.StatusOK,
			"edit", "Product MUG-1 saved.", `value="Blue mug"`)
		expect(t, b.post("/admin/products/"+id, productForm("MUG-1", strings.Repeat("n", 201), "1300", "3", true)),
			http.StatusUnprocessableEntity, "edit with a long name", `id="name-error">must be at most 200 characters`)

		// Stock: added, taken away, never below zero.
		expect(t, b.follow("/admin/products/"+id+"/stock", url.Values{"delta": {"7"}}), http.StatusOK, "add stock", "Stock of MUG-1 is now 10.")
		expect(t, b.follow("/admin/products/"+id+"/stock", url.Values{"delta": {"-4"}}), http.StatusOK, "remove stock", "Stock of MUG-1 is now 6.")
		expect(t, b.follow("/admin/products/"+id+"/stock", url.Values{"delta": {"-7"}}), http.StatusOK, "too much removed",
			`class="flash flash-error"`, "The stock is 6", "Stock: 6")
		expect(t, b.follow("/admin/products/"+id+"/stock", url.Values{"delta": {"lots"}}), http.StatusOK, "not a number", "must be a whole number")

		// Deactivate from the list, then filter on it.
		p = b.follow("/admin/products/"+id+"/active", url.Values{"active": {"false"}, "back": {"/admin/products"}})
		expect(t, p, http.StatusOK, "deactivate", "Product MUG-1 deactivated")
		expect(t, b.get("/admin/products?is_active=false"), http.StatusOK, "inactive filter", "Blue mug")
		expect(t, b.get("/admin/products?is_active=true"), http.StatusOK, "active filter", "No products match")
		apptest.Expect(t, e.Get("/products/"+id, ""), http.StatusNotFound, "customers no longer see it")
		expect(t, b.follow("/admin/products/"+id+"/active", url.Values{"active": {"true"}}), http.StatusOK, "activate", "activated")

		// Delete after a confirmation page.
		expect(t, b.get("/admin/products/"+id+"/delete"), http.StatusOK, "confirm delete", "Delete Blue mug?", `<button type="submit" class="danger">`)
		expect(t, b.follow("/admin/products/"+id+"/delete", url.Values{}), http.StatusOK, "delete", "Product MUG-1 deleted.", "No products match")
		expect(t, b.get("/admin/products/"+id), http.StatusNotFound, "deleted product page", "product not found")
		expect(t, b.get("/admin/products/abc"), http.StatusNotFound, "bad id")
	})
}

func TestProductListSearchSortAndPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		for i := range 23 {
			apptest.Expect(t, e.Post("/products", admin.Token, map[string]any{
				"sku": fmt.Sprintf("SKU-%02d", i), "name": fmt.Sprintf("Item %02d", i), "price_cents": 100 + i, "stock": i % 3,
			}), http.StatusCreated, "create")
		}
		b := newBrowser(t, e)
		b.signIn(admin.Email)
		first := b.get("/admin/products?sort=-price_cents")
		expect(t, first, http.StatusOK, "first page", "Page 1 of 2 (23 in all)", "Item 22", `rel="next"`)
		if strings.Index(first.Body, "Item 22") > strings.Index(first.Body, "Item 21") {
			t.Fatalf("sort=-price_cents: Item 22 should come before Item 21")
		}
		second := b.get("/admin/products?page=2&sort=-price_cents")
		expect(t, second, http.StatusOK, "second page", "Page 2 of 2", "Item 00", `rel="prev"`)
		expect(t, b.get("/admin/products?q=item%2007"), http.StatusOK, "search", "Item 07", "1 in all")
		expect(t, b.get("/admin/products?in_stock=false&max_price_cents=105"), http.StatusOK, "filters", "Item 00", "Item 03", "2 in all")
		expect(t, b.get("/admin/products?sort=stock"), http.StatusBadRequest, "unknown sort", "cannot sort by &#34;stock&#34;")
		expect(t, b.get("/admin/products?page=0"), http.StatusBadRequest, "page 0", "must be a page number")
		expect(t, b.get("/admin/products?min_price_cents=-1"), http.StatusBadRequest, "negative price", "must be a whole number")
	})
}

func TestProductFormsNeedAnAdminAndTheSameSite(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		anon := newBrowser(t, e)
		expectRedirect(t, anon.get("/admin/products"), "/admin/login?next=%2Fadmin%2Fproducts", "signed out list")
		expectRedirect(t, anon.post("/admin/products", productForm("X-1", "X", "1", "1", true)), "/admin/login", "signed out create")

		b := newBrowser(t, e)
		b.signIn(admin.Email)
		p := b.do(http.MethodPost, "/admin/products", productForm("X-1", "X", "1", "1", true), map[string]string{"Sec-Fetch-Site": "cross-site"})
		expect(t, p, http.StatusForbidden, "cross-site create", "Request refused")
		expect(t, b.get("/admin/products"), http.StatusOK, "nothing was created", "No products match")
	})
}
