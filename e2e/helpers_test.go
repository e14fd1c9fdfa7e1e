package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"tienda/apptest"
)

// TestMain keeps Gin quiet: debug mode prints every route of every app the tests build.
func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// product is a product as the API renders it.
type product = apptest.Product

// user is a user as the API renders it.
type user struct {
	ID        uint      `json:"id"`
	Email     string    `json:"email"`
	FullName  string    `json:"full_name"`
	Role      string    `json:"role"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// page is the contract's list envelope.
type page[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

// tokenResponse answers a login or a refresh.
type tokenResponse struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// The exact field sets of the contract's resources.
var (
	productFields = []string{"created_at", "description", "id", "is_active", "name", "price_cents", "sku", "stock", "updated_at"}
	userFields    = []string{"created_at", "email", "full_name", "id", "is_active", "role", "updated_at"}
	listFields    = []string{"items", "page", "page_size", "total"}
)

// detail is one entry of an error envelope's details.
type detail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// expectError fails the test unless r has status and is exactly the contract's error envelope
// {"error":{"code","message"[,"details"]}} with code. It returns the details.
func expectError(t testing.TB, r apptest.Response, status int, code, what string) []detail {
	t.Helper()
	if r.Code != status {
		t.Fatalf("%s: got %s, want %d %s", what, r, status, code)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("%s: body %q is not a JSON object: %v", what, r.Body, err)
	}
	if keys := sortedKeys(top); !slices.Equal(keys, []string{"error"}) {
		t.Fatalf("%s: top-level keys %v, want only [error]; body %s", what, keys, r.Body)
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &inner); err != nil {
		t.Fatalf("%s: error member is not an object: %s", what, r.Body)
	}
	for k := range inner {
		if k != "code" && k != "message" && k != "details" {
			t.Errorf("%s: unexpected key %q in the error envelope: %s", what, k, r.Body)
		}
	}
	var env struct {
		Error struct {
			Code    string   `json:"code"`
			Message string   `json:"message"`
			Details []detail `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("%s: envelope of the wrong shape %s: %v", what, r.Body, err)
	}
	if env.Error.Code != code {
		t.Errorf("%s: error code %q, want %q; body %s", what, env.Error.Code, code, r.Body)
	}
	if strings.TrimSpace(env.Error.Message) == "" {
		t.Errorf("%s: error message is empty; body %s", what, r.Body)
	}
	if raw, ok := inner["details"]; ok {
		var items []map[string]any
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatalf("%s: details is not an array of objects: %s", what, r.Body)
		}
		for _, it := range items {
			if keys := sortedKeys(it); !slices.Equal(keys, []string{"field", "message"}) {
				t.Errorf("%s: a detail has keys %v, want [field message]: %s", what, keys, r.Body)
			}
		}
	}
	return env.Error.Details
}

// expectDetail fails the test unless r is an error envelope with status and code whose details
// name field.
func expectDetail(t testing.TB, r apptest.Response, status int, code, field, what string) {
	t.Helper()
	details := expectError(t, r, status, code, what)
	for _, d := range details {
		if d.Field == field {
			if d.Message == "" {
				t.Errorf("%s: detail for %q has no message", what, field)
			}
			return
		}
	}
	t.Errorf("%s: details %+v do not name the field %q", what, details, field)
}

// expectKeys fails the test unless the JSON object in raw has exactly the keys want.
func expectKeys(t testing.TB, raw []byte, want []string, what string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %q is not a JSON object: %v", what, raw, err)
	}
	if got := sortedKeys(m); !slices.Equal(got, want) {
		t.Errorf("%s: keys %v, want exactly %v", what, got, want)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// decode expects status and unmarshals the body into a T.
func decode[T any](t testing.TB, r apptest.Response, status int, what string) T {
	t.Helper()
	var v T
	apptest.Expect(t, r, status, what).Decode(t, &v)
	return v
}

// productIDs lists the IDs of items in order.
func productIDs(items []product) []uint {
	ids := make([]uint, len(items))
	for i, p := range items {
		ids[i] = p.ID
	}
	return ids
}

// userIDs lists the IDs of items in order.
func userIDs(items []user) []uint {
	ids := make([]uint, len(items))
	for i, u := range items {
		ids[i] = u.ID
	}
	return ids
}

// skuSeq makes SKUs unique within a test binary.
var skuSeq atomic.Int64

// newSKU returns a fresh SKU with prefix.
func newSKU(prefix string) string { return fmt.Sprintf("%s-%d", prefix, skuSeq.Add(1)) }

// productBody is a valid POST /products body.
func productBody(sku, name string, price, stock int64) map[string]any {
	return map[string]any{"sku": sku, "name": name, "price_cents": price, "stock": stock}
}

// createProduct creates a product as admin and returns it.
func createProduct(t testing.TB, e *apptest.Env, admin string, body map[string]any) product {
	t.Helper()
	r := e.Post("/products", admin, body)
	p := decode[product](t, r, http.StatusCreated, fmt.Sprintf("create product %v", body))
	expectKeys(t, r.Body, productFields, "created product")
	return p
}

// getProduct fetches a product as token and expects 200.
func getProduct(t testing.TB, e *apptest.Env, token string, id uint) product {
	t.Helper()
	return decode[product](t, e.Get(fmt.Sprintf("/products/%d", id), token), http.StatusOK, fmt.Sprintf("get product %d", id))
}

// listProducts fetches GET /products?query as token and expects 200.
func listProducts(t testing.TB, e *apptest.Env, token, query string) page[product] {
	t.Helper()
	r := e.Get("/products?"+query, token)
	p := decode[page[product]](t, r, http.StatusOK, "list products?"+query)
	expectKeys(t, r.Body, listFields, "product list")
	if p.Items == nil {
		t.Errorf("list products?%s: items is null, want an array", query)
	}
	return p
}

// listUsers fetches GET /users?query as token and expects 200.
func listUsers(t testing.TB, c client, token, query string) page[user] {
	t.Helper()
	r := c.get("/users?"+query, token)
	p := decode[page[user]](t, r, http.StatusOK, "list users?"+query)
	expectKeys(t, r.Body, listFields, "user list")
	return p
}

// q builds a query string.
func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// client sends requests through an Env and checks every response for leaked passwords and
// password hashes.
type client struct {
	t *testing.T
	e *apptest.Env
	// secrets are plaintext passwords the test sent; no response may echo them.
	secrets []string
}

func newClient(t *testing.T, e *apptest.Env, secrets ...string) client {
	return client{t: t, e: e, secrets: append([]string{apptest.Password}, secrets...)}
}

func (c client) do(req apptest.Request) apptest.Response {
	c.t.Helper()
	r := c.e.Do(req)
	c.noPasswordLeak(r, req.Method+" "+req.Path)
	return r
}

func (c client) get(path, token string) apptest.Response {
	c.t.Helper()
	return c.do(apptest.Request{Method: http.MethodGet, Path: path, Token: token})
}

func (c client) post(path, token string, body any) apptest.Response {
	c.t.Helper()
	return c.do(apptest.Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

func (c client) patch(path, token string, body any) apptest.Response {
	c.t.Helper()
	return c.do(apptest.Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}

func (c client) del(path, token string) apptest.Response {
	c.t.Helper()
	return c.do(apptest.Request{Method: http.MethodDelete, Path: path, Token: token})
}

// withAuth sends the Authorization header exactly as given.
func (c client) withAuth(method, path, authorization string) apptest.Response {
	c.t.Helper()
	return c.do(apptest.Request{Method: method, Path: path, Headers: map[string]string{"Authorization": authorization}})
}

// noPasswordLeak fails the test when a response shows a password or its hash. A successful
// answer may not contain the word "password" at all. An error answer may use the word only in
// its human message or to name the invalid field (the contract's details must say which field
// is wrong); it must be exactly the envelope, so no other member can carry a hash.
func (c client) noPasswordLeak(r apptest.Response, what string) {
	c.t.Helper()
	body := string(r.Body)
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		if strings.Contains(body, prefix) {
			c.t.Errorf("%s: the response carries a bcrypt hash: %s", what, body)
		}
	}
	for _, s := range c.secrets {
		if strings.Contains(body, s) {
			c.t.Errorf("%s: the response echoes the password %q: %s", what, s, body)
		}
	}
	switch {
	case r.Code < 400:
		if strings.Contains(strings.ToLower(body), "password") {
			c.t.Errorf("%s: a %d response mentions a password: %s", what, r.Code, body)
		}
	default:
		expectError(c.t, r, r.Code, r.ErrorCode(), what+" (envelope shape)")
	}
}
