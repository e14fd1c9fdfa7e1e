package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// convertRepo converts the repository's docs/swagger.json with the repository's Go types, and
// checks that the result is docs/openapi.json (what `make swag` committed).
func convertRepo(t *testing.T) obj {
	t.Helper()
	raw, err := os.ReadFile("../../docs/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	types, err := loadGoTypes("../..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := convert(raw, types)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(committed) {
		t.Error("docs/openapi.json is not what the converter makes of docs/swagger.json: run make swag")
	}
	var doc obj
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestConvertedDescription(t *testing.T) {
	doc := convertRepo(t)
	schemas := m(m(doc["components"])["schemas"])

	product := m(schemas["Product"])
	if product == nil {
		t.Fatalf("no Product schema; schemas: %v", sortedKeys(schemas))
	}
	req := list(product["required"])
	for _, f := range []string{"id", "sku", "name", "price_cents", "stock", "is_active", "created_at", "updated_at"} {
		if !slices.Contains(req, any(f)) {
			t.Errorf("Product.required %v lacks %s", req, f)
		}
	}
	if f := m(m(product["properties"])["created_at"])["format"]; f != "date-time" {
		t.Errorf("Product.created_at format %v, want date-time", f)
	}
	if d, _ := m(m(product["properties"])["price_cents"])["description"].(string); !strings.Contains(d, "cents") {
		t.Errorf("Product.price_cents description %q does not give the unit", d)
	}
	if _, ok := schemas["OrderPage"]; !ok {
		t.Errorf("no OrderPage schema: %v", sortedKeys(schemas))
	}
	for name := range schemas {
		if strings.ContainsAny(name, ".-_") {
			t.Errorf("schema name %s leaks Go", name)
		}
	}
	if result := m(m(m(schemas["SalesReportTask"])["properties"])["result"]); result["$ref"] != "#/components/schemas/SalesReport" {
		t.Errorf("SalesReportTask.result %v, want the SalesReport schema", result)
	}
	if p := m(m(schemas["PlaceOrderRequest"])["properties"]); p == nil {
		t.Error("no PlaceOrderRequest")
	}

	sec := m(m(doc["components"])["securitySchemes"])
	if b := m(sec[bearerScheme]); b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("BearerAuth %v, want http bearer", b)
	}
	if f := m(m(m(sec[oauthScheme])["flows"])["password"]); f["tokenUrl"] != tokenURL {
		t.Errorf("OAuth2 password flow %v, want tokenUrl %s", f, tokenURL)
	}

	ops := 0
	err := operations(doc, func(path, method string, op obj) error {
		ops++
		rs := m(op["responses"])
		for _, code := range []string{"429", "503"} {
			if rs[code] == nil {
				t.Errorf("%s %s: no %s", method, path, code)
			}
		}
		for code, r := range rs {
			resp := m(r)
			if _, ok := m(resp["content"])["application/json"]; ok {
				t.Errorf("%s %s %s: declares application/json, the server sends %s", method, path, code, jsonType)
			}
			if code == "204" && resp["content"] != nil {
				t.Errorf("%s %s: 204 with content", method, path)
			}
			if code == "201" && m(resp["headers"])["Location"] == nil {
				t.Errorf("%s %s: 201 without Location", method, path)
			}
		}
		for _, p := range list(op["parameters"]) {
			param := m(p)
			if param["name"] != "sort" {
				continue
			}
			re := regexp.MustCompile(m(param["schema"])["pattern"].(string))
			if path == "/products" && (!re.MatchString("-price_cents,name") || re.MatchString("price") || re.MatchString("name,")) {
				t.Errorf("GET /products sort pattern %s: want -price_cents,name and no partial field", re)
			}
		}
		return nil
	})
	if err != nil || ops < 20 {
		t.Errorf("%d operations (%v), want every route", ops, err)
	}
}

// TestConvertRefusesWhatItCannotDescribe: an operation without @ID and a property without a
// description fail the conversion.
func TestConvertRefusesWhatItCannotDescribe(t *testing.T) {
	doc := func() obj {
		return obj{"paths": obj{"/x": obj{"get": obj{"operationId": "getX", "responses": obj{}}}},
			"components": obj{"schemas": obj{"Thing": obj{"properties": obj{"mystery": obj{"type": "string"}}}}}}
	}
	if err := describeProperties(doc()); err == nil || !strings.Contains(err.Error(), "Thing.mystery") {
		t.Errorf("a property without a description: %v, want an error naming Thing.mystery", err)
	}
	d := doc()
	delete(m(m(m(d["paths"])["/x"])["get"]), "operationId")
	if err := operationIDs(d); err == nil {
		t.Error("an operation without operationId passed")
	}
	d = doc()
	m(m(m(d["paths"])["/x"])["get"])["tags"] = []any{"things"}
	if err := tagsDescribed(d); err == nil {
		t.Error("an operation with an undeclared tag passed")
	}
	d["tags"] = []any{obj{"name": "things", "description": "Things."}}
	if err := tagsDescribed(d); err != nil {
		t.Errorf("a declared, described tag: %v", err)
	}
}
