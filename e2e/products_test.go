package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"tienda/apptest"
)

func TestProductLifecycle(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		before := time.Now().Add(-time.Minute)

		created := createProduct(t, e, admin, map[string]any{
			"sku": "MUG-001", "name": "Enamel mug", "description": "Blue, 350 ml",
			"price_cents": 1299, "stock": 25,
		})
		if created.ID == 0 || created.SKU != "MUG-001" || created.Name != "Enamel mug" ||
			created.Description != "Blue, 350 ml" || created.PriceCents != 1299 || created.Stock != 25 || !created.IsActive {
			t.Fatalf("created product %+v, want the posted fields, is_active defaulting to true", created)
		}
		if created.CreatedAt.Before(before) || created.UpdatedAt.Before(before) ||
			created.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at %v / updated_at %v, want recent UTC times", created.CreatedAt, created.UpdatedAt)
		}

		r := e.Get(fmt.Sprintf("/products/%d", created.ID), "")
		got := decode[product](t, r, http.StatusOK, "anonymous GET of an active product")
		expectKeys(t, r.Body, productFields, "product")
		if got != created {
			t.Errorf("GET returned %+v, want what POST returned %+v", got, created)
		}

		list := listProducts(t, e, "", "")
		if list.Total != 1 || !slices.Equal(productIDs(list.Items), []uint{created.ID}) || list.Page != 1 || list.PageSize != 20 {
			t.Errorf("list = %+v, want the one product, page 1, page_size 20", list)
		}

		// PUT replaces everything: a field left out of the body takes its default.
		replaced := decode[product](t, e.Put(fmt.Sprintf("/products/%d", created.ID), admin, map[string]any{
			"sku": "MUG-002", "name": "Steel mug", "price_cents": 1500, "stock": 3, "is_active": false,
		}), http.StatusOK, "PUT")
		want := created
		want.SKU, want.Name, want.Description, want.PriceCents, want.Stock, want.IsActive =
			"MUG-002", "Steel mug", "", 1500, 3, false
		want.UpdatedAt = replaced.UpdatedAt
		if replaced != want {
			t.Errorf("PUT returned %+v, want %+v (description cleared, created_at kept)", replaced, want)
		}
		if !replaced.UpdatedAt.After(created.UpdatedAt) {
			t.Errorf("updated_at %v after PUT, want later than %v", replaced.UpdatedAt, created.UpdatedAt)
		}
		if got := getProduct(t, e, admin, created.ID); got != replaced {
			t.Errorf("GET after PUT = %+v, want %+v", got, replaced)
		}

		patched := decode[product](t, e.Patch(fmt.Sprintf("/products/%d", created.ID), admin,
			map[string]any{"name": "  Tin mug  ", "is_active": true}), http.StatusOK, "PATCH")
		want = replaced
		want.Name, want.IsActive, want.UpdatedAt = "Tin mug", true, patched.UpdatedAt
		if patched != want {
			t.Errorf("PATCH returned %+v, want %+v (name trimmed, other fields kept)", patched, want)
		}

		r = e.Delete(fmt.Sprintf("/products/%d", created.ID), admin)
		apptest.Expect(t, r, http.StatusNoContent, "DELETE")
		if len(r.Body) != 0 {
			t.Errorf("DELETE body %q, want none", r.Body)
		}
		expectError(t, e.Get(fmt.Sprintf("/products/%d", created.ID), admin), http.StatusNotFound, "not_found", "GET after DELETE")
		if l := listProducts(t, e, admin, ""); l.Total != 0 || len(l.Items) != 0 {
			t.Errorf("admin list after DELETE = %+v, want empty", l)
		}
	})
}

func TestProductNotFoundAndBadIDs(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		deleted := createProduct(t, e, admin, productBody(newSKU("DEL"), "Gone", 100, 1))
		apptest.Expect(t, e.Delete(fmt.Sprintf("/products/%d", deleted.ID), admin), http.StatusNoContent, "delete")
		body := productBody(newSKU("NEW"), "New", 1, 1)

		for _, id := range []string{"424242", fmt.Sprint(deleted.ID), "9223372036854775807"} {
			path := "/products/" + id
			expectError(t, e.Get(path, admin), http.StatusNotFound, "not_found", "GET "+path)
			expectError(t, e.Get(path, ""), http.StatusNotFound, "not_found", "anonymous GET "+path)
			expectError(t, e.Put(path, admin, body), http.StatusNotFound, "not_found", "PUT "+path)
			expectError(t, e.Patch(path, admin, map[string]any{"stock": 1}), http.StatusNotFound, "not_found", "PATCH "+path)
			expectError(t, e.Patch(path, admin, map[string]any{}), http.StatusNotFound, "not_found", "empty PATCH "+path)
			expectError(t, e.Delete(path, admin), http.StatusNotFound, "not_found", "DELETE "+path)
		}

		for _, id := range []string{"abc", "0", "-1", "1.5", "0x10", "99999999999999999999"} {
			path := "/products/" + id
			for _, r := range []struct {
				method string
				resp   apptest.Response
			}{
				{"GET", e.Get(path, admin)},
				{"PUT", e.Put(path, admin, body)},
				{"PATCH", e.Patch(path, admin, map[string]any{"stock": 1})},
				{"DELETE", e.Delete(path, admin)},
			} {
				expectDetail(t, r.resp, http.StatusBadRequest, "bad_request", "id", r.method+" "+path)
			}
		}
		if l := listProducts(t, e, admin, ""); l.Total != 0 {
			t.Errorf("after only failed requests the list has %d products, want 0", l.Total)
		}
	})
}

// validationCase is a request body and the error it must get.
type validationCase struct {
	name   string
	body   any // a map is sent as JSON; a string as it is
	status int
	code   string
	field  string // "" when the answer need not name a field
}

func TestProductCreateValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	base := func(edit func(map[string]any)) map[string]any {
		b := productBody(newSKU("VAL"), "Valid", 100, 1)
		edit(b)
		return b
	}
	invalid := []validationCase{
		{"sku empty", base(func(b map[string]any) { b["sku"] = "" }), 422, "validation_error", "sku"},
		{"sku only spaces", base(func(b map[string]any) { b["sku"] = "   " }), 422, "validation_error", "sku"},
		{"sku 65 chars", base(func(b map[string]any) { b["sku"] = long(65) }), 422, "validation_error", "sku"},
		{"name empty", base(func(b map[string]any) { b["name"] = "" }), 422, "validation_error", "name"},
		{"name 201 chars", base(func(b map[string]any) { b["name"] = long(201) }), 422, "validation_error", "name"},
		{"description 2001 chars", base(func(b map[string]any) { b["description"] = long(2001) }), 422, "validation_error", "description"},
		// Issue #16, item 9: NUL made a second SKU that MariaDB's collation takes for the first.
		{"sku with a NUL", base(func(b map[string]any) { b["sku"] = "MUG\x00" }), 422, "validation_error", "sku"},
		{"sku with a zero-width space", base(func(b map[string]any) { b["sku"] = "MUG\u200b1" }), 422, "validation_error", "sku"},
		{"name with a NUL", base(func(b map[string]any) { b["name"] = "Mug\x00" }), 422, "validation_error", "name"},
		{"name with a line feed", base(func(b map[string]any) { b["name"] = "Mug\nCup" }), 422, "validation_error", "name"},
		{"description with a NUL", base(func(b map[string]any) { b["description"] = "a\x00b" }), 422, "validation_error", "description"},
		{"description with an escape", base(func(b map[string]any) { b["description"] = "\x1b[2J" }), 422, "validation_error", "description"},
		{"price_cents -1", base(func(b map[string]any) { b["price_cents"] = -1 }), 422, "validation_error", "price_cents"},
		{"price_cents over the ceiling", base(func(b map[string]any) { b["price_cents"] = int64(1_000_000_000_001) }), 422, "validation_error", "price_cents"},
		{"stock -1", base(func(b map[string]any) { b["stock"] = -1 }), 422, "validation_error", "stock"},
		{"stock over the ceiling", base(func(b map[string]any) { b["stock"] = 1_000_000_001 }), 422, "validation_error", "stock"},
		{"sku missing", base(func(b map[string]any) { delete(b, "sku") }), 422, "validation_error", "sku"},
		{"name missing", base(func(b map[string]any) { delete(b, "name") }), 422, "validation_error", "name"},
		{"price_cents missing", base(func(b map[string]any) { delete(b, "price_cents") }), 422, "validation_error", "price_cents"},
		{"stock missing", base(func(b map[string]any) { delete(b, "stock") }), 422, "validation_error", "stock"},
		{"price_cents null", base(func(b map[string]any) { b["price_cents"] = nil }), 422, "validation_error", "price_cents"},
		{"everything missing", map[string]any{}, 422, "validation_error", "sku"},
		{"price_cents a string", base(func(b map[string]any) { b["price_cents"] = "100" }), 400, "bad_request", "price_cents"},
		{"price_cents a fraction", base(func(b map[string]any) { b["price_cents"] = 12.5 }), 400, "bad_request", "price_cents"},
		{"stock a boolean", base(func(b map[string]any) { b["stock"] = true }), 400, "bad_request", "stock"},
		{"sku a number", base(func(b map[string]any) { b["sku"] = 123 }), 400, "bad_request", "sku"},
		{"name an object", base(func(b map[string]any) { b["name"] = map[string]any{"x": 1} }), 400, "bad_request", "name"},
		{"description a number", base(func(b map[string]any) { b["description"] = 5 }), 400, "bad_request", "description"},
		{"is_active a string", base(func(b map[string]any) { b["is_active"] = "yes" }), 400, "bad_request", "is_active"},
		{"malformed JSON", `{"sku": "A", "name":`, 400, "bad_request", ""},
		{"not JSON", `sku=A&name=B`, 400, "bad_request", ""},
		{"single quotes", `{'sku': 'A'}`, 400, "bad_request", ""},
		{"empty body", "", 400, "bad_request", ""},
		{"whitespace body", "  \n ", 400, "bad_request", ""},
		{"an array", `[]`, 400, "bad_request", ""},
		{"a string", `"sku"`, 400, "bad_request", ""},
		{"two objects", `{"sku":"A","name":"B","price_cents":1,"stock":1} {}`, 400, "bad_request", ""},
	}
	valid := []struct {
		name string
		body map[string]any
	}{
		{"sku 1 char", base(func(b map[string]any) { b["sku"] = "Z" })},
		{"sku 64 chars", base(func(b map[string]any) { b["sku"] = strings.Repeat("S", 64) })},
		{"name 1 char", base(func(b map[string]any) { b["name"] = "x" })},
		{"name 200 chars", base(func(b map[string]any) { b["name"] = long(200) })},
		{"name 200 two-byte chars", base(func(b map[string]any) { b["name"] = strings.Repeat("é", 200) })},
		{"description 2000 chars", base(func(b map[string]any) { b["description"] = long(2000) })},
		{"description 2000 two-byte chars", base(func(b map[string]any) { b["description"] = strings.Repeat("ñ", 2000) })},
		{"price_cents 0", base(func(b map[string]any) { b["price_cents"] = 0 })},
		{"price_cents at the ceiling", base(func(b map[string]any) { b["price_cents"] = int64(1_000_000_000_000) })},
		{"stock 0", base(func(b map[string]any) { b["stock"] = 0 })},
		{"stock at the ceiling", base(func(b map[string]any) { b["stock"] = 1_000_000_000 })},
		{"is_active false", base(func(b map[string]any) { b["is_active"] = false })},
		{"description null", base(func(b map[string]any) { b["description"] = nil })},
		{"description on lines with a tab", base(func(b map[string]any) { b["description"] = "Blue mug\r\n\t350 ml" })},
		{"name with an emoji sequence", base(func(b map[string]any) { b["name"] = "Mug \U0001F469\u200D\U0001F373" })},
	}
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		for _, c := range invalid {
			t.Run(c.name, func(t *testing.T) {
				r := e.Post("/products", admin, c.body)
				if c.field == "" {
					expectError(t, r, c.status, c.code, "POST "+c.name)
				} else {
					expectDetail(t, r, c.status, c.code, c.field, "POST "+c.name)
				}
			})
		}
		if l := listProducts(t, e, admin, ""); l.Total != 0 {
			t.Fatalf("after only invalid POSTs the list has %d products, want 0: %+v", l.Total, l.Items)
		}
		for _, c := range valid {
			t.Run(c.name, func(t *testing.T) {
				p := createProduct(t, e, admin, c.body)
				if p.SKU != c.body["sku"] || p.Name != c.body["name"] || p.PriceCents != toInt64(c.body["price_cents"]) {
					t.Errorf("created %+v, want the fields of %v", p, c.body)
				}
				if got := getProduct(t, e, admin, p.ID); got != p {
					t.Errorf("read back %+v, want %+v (the database keeps the value whole)", got, p)
				}
			})
		}
	})
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	}
	return -1
}

func TestProductContentTypeAndSize(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		body := `{"sku":"CT-1","name":"Typed","price_cents":1,"stock":1}`
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "garbage/;;"} {
			r := e.Do(apptest.Request{Method: http.MethodPost, Path: "/products", Token: admin, Body: body,
				Headers: map[string]string{"Content-Type": ct}})
			expectError(t, r, http.StatusBadRequest, "bad_request", "POST with Content-Type "+ct)
		}
		r := e.Do(apptest.Request{Method: http.MethodPost, Path: "/products", Token: admin, Body: body,
			Headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
		apptest.Expect(t, r, http.StatusCreated, "POST with application/json; charset=utf-8")

		// The contract's 413: a body far beyond any valid product is refused before it is read
		// whole, not decoded into memory and then judged field by field.
		// A body under the limit is read and judged on its fields.
		big := fmt.Sprintf(`{"sku":"BIG-0","name":"Big","price_cents":1,"stock":1,"description":%q}`, strings.Repeat("x", 900<<10))
		expectDetail(t, e.Post("/products", admin, big), http.StatusUnprocessableEntity, "validation_error", "description", "POST of a 900 KiB body")
		huge := fmt.Sprintf(`{"sku":"BIG-1","name":"Big","price_cents":1,"stock":1,"description":%q}`, strings.Repeat("x", 8<<20))
		expectError(t, e.Post("/products", admin, huge), http.StatusRequestEntityTooLarge, "payload_too_large", "POST of an 8 MiB body")
		expectError(t, e.Put(fmt.Sprintf("/products/%d", decode[product](t, r, http.StatusCreated, "").ID), admin, huge),
			http.StatusRequestEntityTooLarge, "payload_too_large", "PUT of an 8 MiB body")
	})
}

func TestProductUpdateValidation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		p := createProduct(t, e, admin, map[string]any{
			"sku": "KEEP-1", "name": "Keeper", "description": "stays", "price_cents": 500, "stock": 7,
		})
		path := fmt.Sprintf("/products/%d", p.ID)
		full := func(edit func(map[string]any)) map[string]any {
			b := productBody("KEEP-1", "Keeper", 500, 7)
			edit(b)
			return b
		}
		put := []validationCase{
			{"sku empty", full(func(b map[string]any) { b["sku"] = "" }), 422, "validation_error", "sku"},
			{"sku 65 chars", full(func(b map[string]any) { b["sku"] = strings.Repeat("s", 65) }), 422, "validation_error", "sku"},
			{"name 201 chars", full(func(b map[string]any) { b["name"] = strings.Repeat("n", 201) }), 422, "validation_error", "name"},
			{"description 2001 chars", full(func(b map[string]any) { b["description"] = strings.Repeat("d", 2001) }), 422, "validation_error", "description"},
			{"price_cents -1", full(func(b map[string]any) { b["price_cents"] = -1 }), 422, "validation_error", "price_cents"},
			{"stock -1", full(func(b map[string]any) { b["stock"] = -1 }), 422, "validation_error", "stock"},
			{"stock missing", full(func(b map[string]any) { delete(b, "stock") }), 422, "validation_error", "stock"},
			{"name missing", full(func(b map[string]any) { delete(b, "name") }), 422, "validation_error", "name"},
			{"price_cents a string", full(func(b map[string]any) { b["price_cents"] = "5" }), 400, "bad_request", "price_cents"},
			{"malformed JSON", `{"sku":`, 400, "bad_request", ""},
			{"empty body", "", 400, "bad_request", ""},
			{"null", "null", 400, "bad_request", ""},
		}
		patch := []validationCase{
			{"sku empty", map[string]any{"sku": ""}, 422, "validation_error", "sku"},
			{"sku spaces", map[string]any{"sku": "  "}, 422, "validation_error", "sku"},
			{"sku 65 chars", map[string]any{"sku": strings.Repeat("s", 65)}, 422, "validation_error", "sku"},
			{"name empty", map[string]any{"name": ""}, 422, "validation_error", "name"},
			{"name 201 chars", map[string]any{"name": strings.Repeat("n", 201)}, 422, "validation_error", "name"},
			{"description 2001 chars", map[string]any{"description": strings.Repeat("d", 2001)}, 422, "validation_error", "description"},
			{"sku with a NUL", map[string]any{"sku": "KEEP-1\x00"}, 422, "validation_error", "sku"},
			{"name with a NUL", map[string]any{"name": "\x00Keeper"}, 422, "validation_error", "name"},
			{"description with a bell", map[string]any{"description": "ding\a"}, 422, "validation_error", "description"},
			{"price_cents -1", map[string]any{"price_cents": -1}, 422, "validation_error", "price_cents"},
			{"stock -1", map[string]any{"stock": -1}, 422, "validation_error", "stock"},
			{"one bad among good", map[string]any{"name": "Changed", "stock": -5}, 422, "validation_error", "stock"},
			{"stock a string", map[string]any{"stock": "0"}, 400, "bad_request", "stock"},
			{"is_active a number", map[string]any{"is_active": 0}, 400, "bad_request", "is_active"},
			{"malformed JSON", `{"stock": 0`, 400, "bad_request", ""},
			{"empty body", "", 400, "bad_request", ""},
			{"an array", `[{"stock":0}]`, 400, "bad_request", ""},
			// Found by the API fuzzer: null decoded as an empty patch and answered 200.
			{"null", "null", 400, "bad_request", ""},
			{"null with spaces", " null \n", 400, "bad_request", ""},
		}
		for _, c := range put {
			t.Run("PUT "+c.name, func(t *testing.T) {
				r := e.Put(path, admin, c.body)
				if c.field == "" {
					expectError(t, r, c.status, c.code, "PUT "+c.name)
				} else {
					expectDetail(t, r, c.status, c.code, c.field, "PUT "+c.name)
				}
			})
		}
		for _, c := range patch {
			t.Run("PATCH "+c.name, func(t *testing.T) {
				r := e.Patch(path, admin, c.body)
				if c.field == "" {
					expectError(t, r, c.status, c.code, "PATCH "+c.name)
				} else {
					expectDetail(t, r, c.status, c.code, c.field, "PATCH "+c.name)
				}
			})
		}
		if got := getProduct(t, e, admin, p.ID); got != p {
			t.Errorf("after only refused updates the product is %+v, want it unchanged %+v", got, p)
		}
	})
}

func TestProductUnknownFieldsIgnored(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		old := "2000-01-01T00:00:00Z"
		body := productBody("EXTRA-1", "Extra", 100, 2)
		for k, v := range map[string]any{"id": 999, "created_at": old, "updated_at": old, "deleted_at": 12345, "color": "red"} {
			body[k] = v
		}
		p := createProduct(t, e, admin, body)
		if p.ID == 999 || p.CreatedAt.Year() < 2020 || p.UpdatedAt.Year() < 2020 {
			t.Errorf("created %+v: id, created_at or updated_at were taken from the body", p)
		}
		expectError(t, e.Get("/products/999", admin), http.StatusNotFound, "not_found", "GET /products/999 after a POST that said id 999")
		if got := getProduct(t, e, "", p.ID); got != p {
			t.Errorf("product %+v is not live and unchanged %+v (deleted_at from the body?)", got, p)
		}

		path := fmt.Sprintf("/products/%d", p.ID)
		put := productBody("EXTRA-1", "Extra 2", 100, 2)
		put["id"], put["created_at"] = 999, old
		replaced := decode[product](t, e.Put(path, admin, put), http.StatusOK, "PUT with id and created_at")
		if replaced.ID != p.ID || !replaced.CreatedAt.Equal(p.CreatedAt) || replaced.Name != "Extra 2" {
			t.Errorf("PUT returned %+v: want id %d and created_at %v kept, name changed", replaced, p.ID, p.CreatedAt)
		}

		patched := decode[product](t, e.Patch(path, admin, map[string]any{"id": 999, "created_at": old, "deleted_at": 1}),
			http.StatusOK, "PATCH of only unknown fields")
		if patched != replaced {
			t.Errorf("PATCH of unknown fields changed the product: %+v, want %+v", patched, replaced)
		}
		if l := listProducts(t, e, admin, ""); l.Total != 1 {
			t.Errorf("list has %d products, want 1", l.Total)
		}
	})
}

func TestProductPatchAbsentVersusZero(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		p := createProduct(t, e, admin, map[string]any{
			"sku": "PZ-1", "name": "Patchy", "description": "some text", "price_cents": 250, "stock": 9,
		})
		path := fmt.Sprintf("/products/%d", p.ID)

		unchanged := decode[product](t, e.Patch(path, admin, map[string]any{}), http.StatusOK, "PATCH {}")
		if unchanged != p {
			t.Errorf("PATCH {} returned %+v, want the product unchanged %+v (updated_at too)", unchanged, p)
		}
		nulls := decode[product](t, e.Patch(path, admin, `{"name":null,"stock":null,"is_active":null}`), http.StatusOK, "PATCH of nulls")
		if nulls != p {
			t.Errorf("PATCH of nulls returned %+v, want the product unchanged %+v", nulls, p)
		}

		steps := []struct {
			body  map[string]any
			apply func(*product)
		}{
			{map[string]any{"stock": 0}, func(p *product) { p.Stock = 0 }},
			{map[string]any{"price_cents": 0}, func(p *product) { p.PriceCents = 0 }},
			{map[string]any{"description": ""}, func(p *product) { p.Description = "" }},
			{map[string]any{"is_active": false}, func(p *product) { p.IsActive = false }},
			{map[string]any{"sku": "PZ-2", "name": "Renamed"}, func(p *product) { p.SKU, p.Name = "PZ-2", "Renamed" }},
		}
		want := p
		for _, s := range steps {
			got := decode[product](t, e.Patch(path, admin, s.body), http.StatusOK, fmt.Sprintf("PATCH %v", s.body))
			s.apply(&want)
			want.UpdatedAt = got.UpdatedAt
			if got != want {
				t.Errorf("PATCH %v returned %+v, want %+v (only the given fields change)", s.body, got, want)
			}
			if read := getProduct(t, e, admin, p.ID); read != got {
				t.Errorf("after PATCH %v the product reads %+v, want %+v", s.body, read, got)
			}
		}
	})
}

func TestProductSKUConflicts(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		abc := createProduct(t, e, admin, productBody("abc", "First", 100, 1))
		other := createProduct(t, e, admin, productBody("xyz", "Second", 200, 2))

		for _, sku := range []string{"abc", "ABC", "Abc", "  abc  "} {
			expectError(t, e.Post("/products", admin, productBody(sku, "Dup", 1, 1)), http.StatusConflict, "conflict", "POST sku "+sku)
		}
		otherPath := fmt.Sprintf("/products/%d", other.ID)
		expectError(t, e.Put(otherPath, admin, productBody("ABC", "Second", 200, 2)), http.StatusConflict, "conflict", "PUT into another product's SKU")
		expectError(t, e.Patch(otherPath, admin, map[string]any{"sku": "abc"}), http.StatusConflict, "conflict", "PATCH into another product's SKU")
		expectError(t, e.Patch(otherPath, admin, map[string]any{"sku": "aBc", "name": "Renamed"}), http.StatusConflict, "conflict", "PATCH into another SKU with other fields")
		if got := getProduct(t, e, admin, other.ID); got != other {
			t.Errorf("after refused updates the product is %+v, want %+v", got, other)
		}
		if l := listProducts(t, e, admin, ""); l.Total != 2 {
			t.Errorf("list has %d products after refused duplicates, want 2", l.Total)
		}

		// A product keeps its own SKU, in any case.
		self := decode[product](t, e.Put(fmt.Sprintf("/products/%d", abc.ID), admin, productBody("ABC", "First", 100, 1)),
			http.StatusOK, "PUT with the product's own SKU in upper case")
		if self.SKU != "ABC" {
			t.Errorf("sku after PUT = %q, want ABC", self.SKU)
		}
		apptest.Expect(t, e.Patch(fmt.Sprintf("/products/%d", abc.ID), admin, map[string]any{"sku": "abc"}), http.StatusOK, "PATCH with own SKU")

		// Deleting the holder frees the SKU, for POST and for PATCH.
		apptest.Expect(t, e.Delete(fmt.Sprintf("/products/%d", abc.ID), admin), http.StatusNoContent, "delete abc")
		reborn := createProduct(t, e, admin, productBody("ABC", "Reborn", 300, 3))
		if reborn.ID == abc.ID {
			t.Errorf("the new product reused the deleted product's id %d", abc.ID)
		}
		apptest.Expect(t, e.Delete(fmt.Sprintf("/products/%d", reborn.ID), admin), http.StatusNoContent, "delete reborn")
		moved := decode[product](t, e.Patch(otherPath, admin, map[string]any{"sku": "abc"}), http.StatusOK, "PATCH into a deleted product's SKU")
		if moved.SKU != "abc" {
			t.Errorf("sku = %q, want abc", moved.SKU)
		}
		expectError(t, e.Post("/products", admin, productBody("ABC", "Again", 1, 1)), http.StatusConflict, "conflict", "POST the SKU that moved")
	})
}

func TestInactiveProductsVisibility(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		customer := e.Customer().Token
		active := createProduct(t, e, admin, productBody("ACT-1", "Active", 100, 1))
		inactiveBody := productBody("OFF-1", "Inactive", 100, 1)
		inactiveBody["is_active"] = false
		inactive := createProduct(t, e, admin, inactiveBody)
		if inactive.IsActive {
			t.Fatalf("created %+v, want is_active false", inactive)
		}

		path := fmt.Sprintf("/products/%d", inactive.ID)
		expectError(t, e.Get(path, ""), http.StatusNotFound, "not_found", "anonymous GET of an inactive product")
		expectError(t, e.Get(path, customer), http.StatusNotFound, "not_found", "customer GET of an inactive product")
		if got := getProduct(t, e, admin, inactive.ID); got != inactive {
			t.Errorf("admin GET = %+v, want %+v", got, inactive)
		}

		cases := []struct {
			who, token, query string
			want              []uint
		}{
			{"anonymous", "", "", []uint{active.ID}},
			{"customer", customer, "", []uint{active.ID}},
			{"anonymous", "", "is_active=true", []uint{active.ID}},
			{"anonymous", "", "is_active=false", []uint{}},
			{"customer", customer, "is_active=false", []uint{}},
			{"admin", admin, "", []uint{active.ID, inactive.ID}},
			{"admin", admin, "is_active=true", []uint{active.ID}},
			{"admin", admin, "is_active=false", []uint{inactive.ID}},
			{"anonymous", "", "q=inactive", []uint{}},
		}
		for _, c := range cases {
			l := listProducts(t, e, c.token, c.query)
			if got := productIDs(l.Items); !slices.Equal(got, c.want) || l.Total != int64(len(c.want)) {
				t.Errorf("%s list ?%s = ids %v total %d, want %v", c.who, c.query, got, l.Total, c.want)
			}
		}
		expectDetail(t, e.Get("/products?is_active=maybe", admin), http.StatusBadRequest, "bad_request", "is_active", "is_active=maybe")
		expectDetail(t, e.Get("/products?q=%00", ""), http.StatusBadRequest, "bad_request", "q", "q=%00 (SQLite's LIKE stops at a NUL)")
	})
}

func TestProductPagination(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		var all []uint
		for i := range 7 {
			all = append(all, createProduct(t, e, admin, productBody(newSKU("PG"), fmt.Sprintf("p%d", i), 100, 1)).ID)
		}

		var seen []uint
		for pg, want := range map[int]int{1: 3, 2: 3, 3: 1, 4: 0, 1000: 0} {
			l := listProducts(t, e, "", fmt.Sprintf("page=%d&page_size=3", pg))
			if len(l.Items) != want || l.Total != 7 || l.Page != pg || l.PageSize != 3 {
				t.Errorf("page %d: %d items, total %d, page %d, page_size %d; want %d items, total 7, page %d, page_size 3",
					pg, len(l.Items), l.Total, l.Page, l.PageSize, want, pg)
			}
			if pg <= 3 {
				seen = append(seen, productIDs(l.Items)...)
			}
		}
		slices.Sort(seen)
		if !slices.Equal(seen, all) {
			t.Errorf("pages 1-3 together hold %v, want every product once %v", seen, all)
		}
		for pg := 1; pg <= 3; pg++ {
			l := listProducts(t, e, "", fmt.Sprintf("page=%d&page_size=3", pg))
			if want := all[(pg-1)*3 : min(pg*3, len(all))]; !slices.Equal(productIDs(l.Items), want) {
				t.Errorf("page %d = %v, want %v (by id)", pg, productIDs(l.Items), want)
			}
		}
		if l := listProducts(t, e, "", "page_size=100"); len(l.Items) != 7 || l.PageSize != 100 {
			t.Errorf("page_size=100: %d items, page_size %d; want 7 and 100", len(l.Items), l.PageSize)
		}
		if l := listProducts(t, e, "", "page_size=1&page=7"); !slices.Equal(productIDs(l.Items), all[6:]) {
			t.Errorf("page_size=1&page=7 = %v, want %v", productIDs(l.Items), all[6:])
		}

		for _, c := range []struct{ query, field string }{
			{"page_size=101", "page_size"},
			{"page_size=0", "page_size"},
			{"page_size=-1", "page_size"},
			{"page=0", "page"},
			{"page=-3", "page"},
			{"page=abc", "page"},
			{"page=1.5", "page"},
			{"page_size=ten", "page_size"},
			{"page=", "page"},
			{"page=99999999999999999999", "page"},
			{"sort=sku", "sort"},
			{"sort=-stock", "sort"},
			{"sort=name,bogus", "sort"},
			{"sort=", "sort"},
			{"sort=--id", "sort"},
			{"min_price_cents=-1", "min_price_cents"},
			{"min_price_cents=abc", "min_price_cents"},
			{"max_price_cents=1e3", "max_price_cents"},
			{"in_stock=yes", "in_stock"},
			{"in_stock=", "in_stock"},
			{"q=" + strings.Repeat("q", 201), "q"},
		} {
			expectDetail(t, e.Get("/products?"+c.query, ""), http.StatusBadRequest, "bad_request", c.field, "GET /products?"+c.query)
		}
	})
}

func TestProductSorting(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		mk := func(name string, price int64) uint {
			return createProduct(t, e, admin, productBody(newSKU("SRT"), name, price, 1)).ID
		}
		// Equal names and equal prices on purpose: ties must fall back to id, in the direction
		// of the sort, so that pages never overlap or skip.
		p1 := mk("beta", 200)
		p2 := mk("alpha", 100)
		p3 := mk("beta", 100)
		p4 := mk("alpha", 200)
		p5 := mk("gamma", 100)

		cases := []struct {
			sort string
			want []uint
		}{
			{"", []uint{p1, p2, p3, p4, p5}},
			{"id", []uint{p1, p2, p3, p4, p5}},
			{"-id", []uint{p5, p4, p3, p2, p1}},
			{"name", []uint{p2, p4, p1, p3, p5}},
			{"-name", []uint{p5, p3, p1, p4, p2}},
			{"price_cents", []uint{p2, p3, p5, p1, p4}},
			{"-price_cents", []uint{p4, p1, p5, p3, p2}},
			{"created_at", []uint{p1, p2, p3, p4, p5}},
			{"-created_at", []uint{p5, p4, p3, p2, p1}},
			{"name,-price_cents", []uint{p4, p2, p1, p3, p5}},
			{"-price_cents,name", []uint{p4, p1, p2, p3, p5}},
		}
		for _, c := range cases {
			sortParam := []string{"sort", c.sort}
			if c.sort == "" {
				sortParam = nil // no sort parameter at all: the default order
			}
			l := listProducts(t, e, "", q(sortParam...))
			if got := productIDs(l.Items); !slices.Equal(got, c.want) {
				t.Errorf("sort=%s: ids %v, want %v", c.sort, got, c.want)
			}
			// Paging one at a time gives the same order.
			var paged []uint
			for pg := 1; pg <= 5; pg++ {
				paged = append(paged, productIDs(listProducts(t, e, "", q(append(sortParam, "page_size", "1", "page", fmt.Sprint(pg))...)).Items)...)
			}
			if !slices.Equal(paged, c.want) {
				t.Errorf("sort=%s one per page: ids %v, want %v", c.sort, paged, c.want)
			}
		}
	})
}

func TestProductFilters(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		mk := func(sku, name string, price, stock int64) uint {
			return createProduct(t, e, admin, productBody(sku, name, price, stock)).ID
		}
		mug := mk("MUG-001", "Enamel Mug", 1299, 5)
		cup := mk("CUP-7", "Paper cup", 150, 0)
		pct := mk("PCT-1", "100% cotton", 2000, 3)
		thousand := mk("PCT-2", "1000 cotton", 150, 0)
		under := mk("UND_1", "under_score", 149, 1)
		underX := mk("UNDX1", "underXscore", 151, 1)
		brk := mk("BRK-1", "[brackets]", 0, 1)
		brk2 := mk("BRK-2", "brackets", 0, 0)
		bang := mk("BANG-1", "wow!", 1, 1)

		cases := []struct {
			query string
			want  []uint
		}{
			{q("q", "mug"), []uint{mug}},
			{q("q", "MUG"), []uint{mug}},
			{q("q", "enamel m"), []uint{mug}},
			{q("q", "cup"), []uint{cup}},
			{q("q", "pct"), []uint{pct, thousand}},
			{q("q", "cotton"), []uint{pct, thousand}},
			{q("q", "%"), []uint{pct}},
			{q("q", "0%"), []uint{pct}},
			{q("q", "% c"), []uint{pct}},
			{q("q", "%c"), []uint{}},
			{q("q", "_"), []uint{under}},
			{q("q", "und_"), []uint{under}},
			{q("q", "under_s"), []uint{under}},
			{q("q", "[b"), []uint{brk}},
			{q("q", "[brackets]"), []uint{brk}},
			{q("q", "!"), []uint{bang}},
			{q("q", "!%"), []uint{}},
			{q("q", "nothing like it"), []uint{}},
			{q("q", "  mug  "), []uint{mug}},
			{q("min_price_cents", "150"), []uint{mug, cup, pct, thousand, underX}},
			{q("max_price_cents", "150"), []uint{cup, thousand, under, brk, brk2, bang}},
			{q("min_price_cents", "150", "max_price_cents", "150"), []uint{cup, thousand}},
			{q("min_price_cents", "151", "max_price_cents", "149"), []uint{}},
			{q("min_price_cents", "0"), []uint{mug, cup, pct, thousand, under, underX, brk, brk2, bang}},
			{q("in_stock", "true"), []uint{mug, pct, under, underX, brk, bang}},
			{q("in_stock", "false"), []uint{cup, thousand, brk2}},
			{q("in_stock", "false", "q", "cotton"), []uint{thousand}},
			{q("in_stock", "true", "min_price_cents", "150", "q", "e"), []uint{mug, underX}},
		}
		for _, c := range cases {
			l := listProducts(t, e, "", c.query)
			if got := productIDs(l.Items); !slices.Equal(got, c.want) || l.Total != int64(len(c.want)) {
				t.Errorf("?%s: ids %v total %d, want %v", c.query, got, l.Total, c.want)
			}
		}
		// total counts the whole filtered list, not the page.
		l := listProducts(t, e, "", q("in_stock", "true", "page_size", "2", "page", "2"))
		if l.Total != 6 || !slices.Equal(productIDs(l.Items), []uint{under, underX}) {
			t.Errorf("in_stock=true page 2 of 2: ids %v total %d, want [%d %d] total 6", productIDs(l.Items), l.Total, under, underX)
		}
	})
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		for _, path := range []string{"/nope", "/products/1/nope", "/Products"} {
			expectError(t, e.Get(path, ""), http.StatusNotFound, "not_found", "GET "+path)
		}
		expectError(t, e.Get("//nope", ""), http.StatusNotFound, "not_found", "GET /nope outside the API")
		for _, c := range []struct{ method, path string }{
			{http.MethodPut, "/products"},
			{http.MethodDelete, "/products"},
			{http.MethodPatch, "/products"},
			{http.MethodPost, "/products/1"},
			{http.MethodPut, "/users/me"},
			{http.MethodGet, "/auth/login"},
		} {
			r := e.Do(apptest.Request{Method: c.method, Path: c.path, Token: admin, Body: "{}"})
			expectError(t, r, http.StatusMethodNotAllowed, "method_not_allowed", c.method+" "+c.path)
		}
	})
}
