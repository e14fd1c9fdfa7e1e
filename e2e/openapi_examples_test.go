package e2e_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/seed"
)

// openAPIDoc is docs/openapi.json as plain JSON.
type openAPIDoc map[string]any

func (d openAPIDoc) schema(ref string) map[string]any {
	comps, _ := d["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	s, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	return s
}

// example builds a value of schema from the examples of its properties, as Swagger UI shows it.
func (d openAPIDoc) example(t *testing.T, schema map[string]any) any {
	t.Helper()
	if ref, ok := schema["$ref"].(string); ok {
		return d.example(t, d.schema(ref))
	}
	if ex, ok := schema["example"]; ok {
		return ex
	}
	switch schema["type"] {
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			ps, _ := p.(map[string]any)
			out[name] = d.example(t, ps)
		}
		return out
	case "array":
		items, _ := schema["items"].(map[string]any)
		return []any{d.example(t, items)}
	}
	t.Fatalf("no example for schema %v", schema)
	return nil
}

// TestOpenAPIExamplesWorkOnASeededDatabase: the request examples Swagger UI pre-fills, and the
// path examples, work on a database made by `tienda seed` (the POST /orders example
// named product 42, which such a database does not have).
func TestOpenAPIExamplesWorkOnASeededDatabase(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t, dbtest.Engines()[0])
	rep, err := seed.Run(t.Context(), seed.Services{Users: e.App.Users, Products: e.App.Products, Orders: e.App.Orders}, seed.Options{Products: 50})
	if err != nil {
		t.Fatal(err)
	}
	login := func(email, password string) string {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		apptest.Expect(t, e.Post("/auth/login", "", map[string]string{"email": email, "password": password}),
			http.StatusOK, "login "+email).Decode(t, &tok)
		return tok.AccessToken
	}
	admin := login(seed.AdminEmail, rep.Accounts[0].Password)
	customer := login(rep.Accounts[1].Email, rep.Accounts[1].Password)

	order := doc.example(t, doc.schema("PlaceOrderRequest"))
	apptest.Expect(t, e.Post("/orders", customer, order), http.StatusCreated, "POST /orders with the example")
	product := doc.example(t, doc.schema("ProductRequest"))
	apptest.Expect(t, e.Post("/products", admin, product), http.StatusCreated, "POST /products with the example")
	apptest.Expect(t, e.Post("/auth/register", "", doc.example(t, doc.schema("RegisterRequest"))), http.StatusCreated, "POST /auth/register with the example")
	for _, path := range []string{"/products/1", "/orders/1", "/users/1"} {
		apptest.Expect(t, e.Get(path, admin), http.StatusOK, "GET "+path+" (the path example)")
	}
}
