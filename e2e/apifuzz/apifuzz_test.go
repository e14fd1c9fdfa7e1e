package apifuzz

// Spec-driven API fuzzing (issue "Hardening", part 1).
//
// TestAPIFuzz reads docs/swagger.json, converts it to OpenAPI 3 with kin-openapi and, for every
// operation, sends generated requests through the real router: valid ones built from the
// schemas (required fields, types, bounds, enums, path parameters naming existing rows) and
// invalid ones (wrong types, missing fields, out-of-range numbers, huge strings, malformed JSON,
// wrong content types, bad ids, bad headers), plus valid-shaped ones carrying nasty strings
// (emoji, RTL, NUL, SQL and JSON metacharacters), as nobody, a customer, an admin and a caller
// with a bad token. Every answer must be below 500, documented for its operation and match the
// documented schema (closed: every documented property present, no undocumented one); every
// error must be exactly the contract's envelope; invalid input gets a 4xx; protected operations
// answer 401 without a token.
//
// The run is seeded and sequential, so it is reproducible: TIENDA_FUZZ_SEED picks the seed,
// TIENDA_FUZZ_REQUESTS the number of requests per engine. A failure prints the request and the
// answer.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/golang-jwt/jwt/v4"

	"tienda/apperr"
	"tienda/apptest"
	"tienda/config"
	"tienda/routes"
)

const (
	// fuzzDefaultSeed makes CI runs reproducible; TIENDA_FUZZ_SEED overrides it.
	fuzzDefaultSeed = 20261128
	// fuzzDefaultRequests is the number of generated requests per engine; TIENDA_FUZZ_REQUESTS
	// overrides it.
	fuzzDefaultRequests = 2000
	// fuzzMaxReported bounds the failures printed in full per engine.
	fuzzMaxReported = 25
)

func envInt(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: want a non-negative integer", name, s)
	}
	return v
}

// apiOp is one operation of the spec with what the fuzzer needs to know about it.
type apiOp struct {
	key    string // "POST /orders/{id}/cancel"
	method string
	path   string
	op     *openapi3.Operation
	route  *routers.Route
	access routes.Access
	// protected: the spec requires a bearer token (security [{"BearerAuth": []}] only).
	protected bool
	// tokenLooked: a token, when sent, is checked (protected or optional auth).
	tokenLooked bool
	body        *openapi3.Schema // nil without a request body
}

func (o *apiOp) params(in string) []*openapi3.Parameter {
	var ps []*openapi3.Parameter
	for _, p := range o.op.Parameters {
		if p.Value.In == in {
			ps = append(ps, p.Value)
		}
	}
	return ps
}

func apiOps(t *testing.T, doc *openapi3.T) []*apiOp {
	t.Helper()
	access := apptest.AccessByRoute()
	var ops []*apiOp
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(method)
			key := method + " " + path
			lvl, ok := access[key]
			if !ok {
				t.Fatalf("%s is documented but not in routes.API", key)
			}
			o := &apiOp{
				key: key, method: method, path: path, op: op, access: lvl,
				route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
			}
			if op.Security != nil {
				for _, req := range *op.Security {
					if _, ok := req["BearerAuth"]; ok {
						o.tokenLooked = true
					}
				}
				o.protected = len(*op.Security) == 1 && o.tokenLooked
			}
			if op.RequestBody != nil {
				mt := op.RequestBody.Value.Content.Get("application/json")
				if mt == nil {
					// The fuzzer generates JSON bodies only; the form of POST /auth/token
					// (OAuth2, RFC 6749 errors) is tested in token_test.go.
					continue
				}
				o.body = mt.Schema.Value
			}
			ops = append(ops, o)
		}
	}
	return ops
}

// TestAPIFuzz sends seeded, generated requests for every operation of docs/swagger.json through
// the router, on every engine. It covers OWASP API8 (no internals in errors), API3 (no
// undocumented property in any answer), API1/API5 (401/403/404 by caller) and the contract's
// validation rules.
func TestAPIFuzz(t *testing.T) {
	t.Parallel()
	seed := envInt(t, "TIENDA_FUZZ_SEED", fuzzDefaultSeed)
	n := int(envInt(t, "TIENDA_FUZZ_REQUESTS", fuzzDefaultRequests))
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		// Each engine has its own app, generator and copy of the spec, so they can run at once.
		t.Parallel()
		f := newAPIFuzzer(t, e, apiOps(t, apptest.OpenAPI3(t)), seed)
		start := time.Now()
		f.run(n)
		t.Logf("seed %d: %d requests on %s in %v, %d failed; answers by status: %v",
			seed, f.sent, e.Engine, time.Since(start).Round(time.Millisecond), f.failed, f.outcomes)
		if f.failed > 0 {
			t.Logf("reproduce with: TIENDA_FUZZ_SEED=%d TIENDA_FUZZ_REQUESTS=%d go test ./controllers -run 'TestAPIFuzz/%s$' -v",
				seed, n, e.Engine)
		}
	}, apptest.WithConfig(func(c *config.Config) {
		// Login throttling has its own tests (auth_test.go); here it would only turn every
		// later login into a 429.
		c.Auth.LoginMaxFailures = 1 << 30
		c.Auth.LoginIPMaxFailures, c.Auth.LoginAccountMaxFailures = 1<<30, 1<<30
	}))
}

// fuzz roles.
const (
	roleAnon     = "anonymous"
	roleCustomer = "customer"
	roleAdmin    = "admin"
	roleBadToken = "bad-token"
)

// fuzzCase is one generated request and what it must get.
type fuzzCase struct {
	op   *apiOp
	kind string // "valid", "nasty: …" or "invalid: …"
	role string

	pathParams map[string]string
	query      url.Values
	header     http.Header
	body       []byte
	hasBody    bool

	// allowed are the statuses an authorized caller may get; nil: any below 500.
	allowed []int
	// check looks at an answer the caller was authorized for; "" means fine.
	check func(status int, body []byte) string
	// after records what a successful request changed.
	after func(status int, body []byte)
}

type apiFuzzer struct {
	t   *testing.T
	e   *apptest.Env
	ops []*apiOp
	rng *rand.Rand

	admin, customer, other apptest.User
	badTokens              []string

	// Rows the generated requests may name. Users and products that requests may change or
	// delete are never the callers' own accounts or the products orders are placed from.
	victims       []uint
	products      []uint // targets of product writes
	stock         []uint // active products with ample stock, for orders
	orders        map[string][]uint
	tasks         []string
	seq           int
	existingEmail string

	sent, failed int
	outcomes     map[string]int
}

func newAPIFuzzer(t *testing.T, e *apptest.Env, ops []*apiOp, seed uint64) *apiFuzzer {
	t.Helper()
	f := &apiFuzzer{
		t: t, e: e, ops: ops, rng: rand.New(rand.NewPCG(seed, 0x7469656e6461)),
		orders: map[string][]uint{}, outcomes: map[string]int{},
	}
	f.admin, f.customer, f.other = e.Admin(), e.Customer(), e.Customer()
	f.existingEmail = f.customer.Email
	c := apptest.Claims(e, f.customer.ID, 0, "customer", time.Hour)
	f.badTokens = []string{
		"Bearer not-a-token",
		"Bearer " + apptest.Sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-12"), c),
		"Bearer " + apptest.SignHS256(t, apptest.WithClaim(c, "sub", "0")),
		"Basic dXNlcjpwYXNz",
	}
	for range 4 {
		f.victims = append(f.victims, f.newVictim())
		f.products = append(f.products, f.newProduct(1000))
	}
	for range 8 {
		f.stock = append(f.stock, f.newProduct(1_000_000))
	}
	for _, u := range []struct {
		role string
		user apptest.User
	}{{roleCustomer, f.customer}, {"other", f.other}, {roleAdmin, f.admin}} {
		for range 3 {
			f.orders[u.role] = append(f.orders[u.role], f.setupOrder(u.user))
		}
	}
	var task struct {
		TaskID string `json:"task_id"`
	}
	apptest.Expect(t, e.Post("/reports/sales", f.admin.Token, map[string]string{"from": "2026-01-01", "to": "2026-01-31"}),
		http.StatusAccepted, "fuzz setup: sales report").Decode(t, &task)
	f.tasks = append(f.tasks, task.TaskID)
	return f
}

func (f *apiFuzzer) newVictim() uint {
	f.seq++
	var u struct {
		ID uint `json:"id"`
	}
	apptest.Expect(f.t, f.e.Post("/auth/register", "", map[string]string{
		"email": fmt.Sprintf("victim%d@example.com", f.seq), "password": apptest.Password, "full_name": "Victim",
	}), http.StatusCreated, "fuzz setup: victim").Decode(f.t, &u)
	return u.ID
}

func (f *apiFuzzer) newProduct(stock int64) uint {
	f.seq++
	return apptest.CreateProduct(f.t, f.e, f.admin, fmt.Sprintf("FUZZ-%d", f.seq), "Fuzz product", 1+f.rng.Int64N(10_000), stock)
}

func (f *apiFuzzer) setupOrder(u apptest.User) uint {
	var o struct {
		ID uint `json:"id"`
	}
	apptest.Expect(f.t, f.e.Post("/orders", u.Token, map[string]any{
		"items": []map[string]any{{"product_id": f.stock[0], "quantity": 1}},
	}), http.StatusCreated, "fuzz setup: order").Decode(f.t, &o)
	return o.ID
}

// run sends n requests: rounds over every operation, in an order the seed shuffles.
func (f *apiFuzzer) run(n int) {
	for f.sent < n {
		order := slices.Clone(f.ops)
		f.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, op := range order {
			if f.sent >= n {
				return
			}
			f.send(f.generate(op))
		}
	}
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// generate makes the next case for op: about a third valid, a sixth valid in shape with nasty
// strings, the rest invalid.
func (f *apiFuzzer) generate(op *apiOp) *fuzzCase {
	c := &fuzzCase{op: op, role: f.pickRole(op), pathParams: map[string]string{}, query: url.Values{}, header: http.Header{}}
	f.fillPath(c)
	f.fillQuery(c)
	f.fillHeaders(c)
	if op.body != nil {
		f.setJSON(c, f.validBody(op))
	}
	c.kind = "valid"
	c.allowed = validStatuses(op)
	f.refine(c)
	switch x := f.rng.Float64(); {
	case x < 0.35:
	case x < 0.5:
		f.nasty(c)
	default:
		f.invalid(c)
	}
	return c
}

// pickRole weights callers toward those the operation is for.
func (f *apiFuzzer) pickRole(op *apiOp) string {
	x := f.rng.Float64()
	switch {
	case x < 0.1:
		return roleAnon
	case x < 0.15 && op.tokenLooked:
		return roleBadToken
	}
	if op.access == routes.Admin {
		if x < 0.25 {
			return roleCustomer
		}
		return roleAdmin
	}
	if x < 0.6 {
		return roleCustomer
	}
	if x < 0.7 && !op.tokenLooked {
		return roleAnon
	}
	return roleAdmin
}

// validStatuses are the answers a valid request from an authorized caller may get: success, or
// a clash with the state (a missing row, a taken SKU, a move the workflow forbids).
func validStatuses(op *apiOp) []int {
	var ok []int
	for code := range op.op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n < 300 {
			ok = append(ok, n)
		}
	}
	switch op.key {
	case "POST /auth/login":
		return append(ok, http.StatusUnauthorized)
	case "GET /users/me", "GET /users", "GET /products", "GET /orders", "POST /reports/sales", "POST /auth/refresh":
		return ok
	case "POST /auth/password-reset/confirm":
		// A well-formed body cannot hold a token the fuzzer does not know: 422 on "token".
		return append(ok, http.StatusUnprocessableEntity)
	case "POST /users/me/password":
		// Nor the current password: 422 on "current_password", and, like a login, 429 once the
		// wrong guesses pass the throttle.
		return append(ok, http.StatusUnprocessableEntity, http.StatusTooManyRequests)
	}
	return append(ok, http.StatusNotFound, http.StatusConflict)
}

func (f *apiFuzzer) userFor(role string) apptest.User {
	switch role {
	case roleAdmin:
		return f.admin
	case roleCustomer:
		return f.customer
	}
	return apptest.User{}
}

func (f *apiFuzzer) fillPath(c *fuzzCase) {
	for _, p := range c.op.params("path") {
		switch {
		case p.Name == "task_id":
			c.pathParams[p.Name] = pick(f.rng, f.tasks)
		case strings.HasPrefix(c.op.path, "/users/"):
			c.pathParams[p.Name] = fmt.Sprint(pick(f.rng, f.victims))
		case strings.HasPrefix(c.op.path, "/products/"):
			c.pathParams[p.Name] = fmt.Sprint(pick(f.rng, f.products))
		case strings.HasPrefix(c.op.path, "/orders/"):
			f.fillOrder(c)
		default:
			f.t.Fatalf("%s: no rows for path parameter %s", c.op.key, p.Name)
		}
	}
}

// fillOrder names an order: mostly the caller's own; for a customer sometimes another
// customer's, which must be a 404 that shows nothing of it (OWASP API1).
func (f *apiFuzzer) fillOrder(c *fuzzCase) {
	owner := c.role
	switch {
	case c.role == roleAdmin:
		owner = pick(f.rng, []string{roleAdmin, roleCustomer, "other"})
	case c.role == roleCustomer && f.rng.IntN(4) == 0:
		owner = "other"
		c.kind = "valid, another customer's order"
	case c.role != roleCustomer:
		owner = roleCustomer
	}
	id := pick(f.rng, f.orders[owner])
	c.pathParams["id"] = fmt.Sprint(id)
	if owner == "other" && c.role == roleCustomer {
		c.check = func(status int, body []byte) string {
			if status != http.StatusNotFound {
				return fmt.Sprintf("a customer reached another customer's order %d: %d, want 404", id, status)
			}
			return ""
		}
	}
}

func (f *apiFuzzer) fillQuery(c *fuzzCase) {
	for _, p := range c.op.params("query") {
		if f.rng.IntN(3) == 0 {
			continue
		}
		if p.Name == "user_id" {
			c.query.Set(p.Name, fmt.Sprint(pick(f.rng, []uint{f.customer.ID, f.other.ID, f.admin.ID})))
			continue
		}
		c.query.Set(p.Name, fmt.Sprint(f.gen(p.Schema.Value, p.Name)))
	}
}

func (f *apiFuzzer) fillHeaders(c *fuzzCase) {
	for _, p := range c.op.params("header") {
		if p.Name == "Idempotency-Key" && f.rng.IntN(2) == 0 {
			// Printable ASCII, from a small set so that retries happen.
			c.header.Set(p.Name, fmt.Sprintf("key-%d", f.rng.IntN(8)))
		}
	}
}

// setJSON makes v the request's JSON body.
func (f *apiFuzzer) setJSON(c *fuzzCase, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		f.t.Fatal(err)
	}
	c.body, c.hasBody = raw, true
	c.header.Set("Content-Type", "application/json")
}

// validBody builds a body from op's schema, with the values the schema cannot describe (unique
// emails, real product ids, ordered dates) made right.
func (f *apiFuzzer) validBody(op *apiOp) map[string]any {
	body, _ := f.gen(op.body, "").(map[string]any)
	switch op.key {
	case "POST /auth/login":
		body["email"] = pick(f.rng, []string{f.customer.Email, strings.ToUpper(f.other.Email), f.admin.Email})
		body["password"] = apptest.Password
	case "POST /reports/sales":
		from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.rng.IntN(3000))
		body["from"] = from.Format(time.DateOnly)
		body["to"] = from.AddDate(0, 0, f.rng.IntN(400)).Format(time.DateOnly)
	case "POST /orders":
		ids := slices.Clone(f.stock)
		f.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		lines := body["items"].([]any)
		lines = lines[:min(len(lines), len(ids))]
		for i, l := range lines {
			l.(map[string]any)["product_id"] = ids[i]
		}
		body["items"] = lines
	}
	return body
}

// gen returns a random value valid for s; name hints at what the schema cannot say.
func (f *apiFuzzer) gen(s *openapi3.Schema, name string) any {
	r := f.rng
	switch {
	case len(s.Enum) > 0:
		return pick(r, s.Enum)
	case name == "page" && r.IntN(4) > 0:
		return 1 + r.IntN(3) // most lists are short: ask for pages that have rows
	case name == "q" && r.IntN(2) == 0:
		return pick(r, []string{"fuzz", "a", "VICTIM", "example", "é", "1"})
	case s.Type.Is("object"):
		obj := map[string]any{}
		for _, p := range slices.Sorted(maps.Keys(s.Properties)) {
			if slices.Contains(s.Required, p) || r.IntN(2) == 0 {
				obj[p] = f.gen(s.Properties[p].Value, p)
			}
		}
		return obj
	case s.Type.Is("array"):
		hi := uint64(5)
		if s.MaxItems != nil {
			hi = min(hi, *s.MaxItems)
		}
		n := s.MinItems + r.Uint64N(hi-s.MinItems+1)
		arr := make([]any, n)
		for i := range arr {
			arr[i] = f.gen(s.Items.Value, name)
		}
		return arr
	case s.Type.Is("integer"):
		return f.genInt(s)
	case s.Type.Is("boolean"):
		return r.IntN(2) == 0
	case s.Type.Is("string"):
		return f.genString(s, name)
	}
	f.t.Fatalf("no generator for schema %+v", s)
	return nil
}

func (f *apiFuzzer) genInt(s *openapi3.Schema) int64 {
	lo, hi := int64(0), int64(math.MaxInt64)
	if s.Min != nil {
		lo = int64(*s.Min)
	}
	if s.Max != nil {
		hi = int64(*s.Max)
	}
	switch f.rng.IntN(6) {
	case 0:
		return lo
	case 1:
		if hi-lo < 1<<40 {
			return hi
		}
		return lo + 1<<31 // large, far from the unbounded end
	}
	return lo + f.rng.Int64N(min(hi-lo, 1000)+1)
}

const asciiAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

// bmpAlphabet adds letters outside ASCII that are one UTF-16 unit each, so that length limits
// mean the same in characters (the spec) and in UTF-16 units (the database).
var bmpAlphabet = []rune(asciiAlphabet + "áéíóúñçßøåΩЖж日本語한국")

func (f *apiFuzzer) genString(s *openapi3.Schema, name string) string {
	f.seq++
	switch {
	case name == "email":
		return fmt.Sprintf("fz%d.%d@example.com", f.seq, f.rng.IntN(1000))
	case name == "password":
		n := 8 + f.rng.IntN(65)
		return randString(f.rng, []rune(asciiAlphabet+" !#$%&*+"), n)
	case name == "sku":
		return fmt.Sprintf("SKU-%d-%s", f.seq, randString(f.rng, bmpAlphabet, f.rng.IntN(20)))
	case s.Format == "date":
		return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.rng.IntN(3000)).Format(time.DateOnly)
	}
	lo, hi := int(s.MinLength), 40
	if s.MaxLength != nil {
		hi = min(hi, int(*s.MaxLength))
		if f.rng.IntN(8) == 0 {
			hi = int(*s.MaxLength) // the boundary, now and then
			lo = hi
		}
	}
	return randString(f.rng, bmpAlphabet, lo+f.rng.IntN(hi-lo+1))
}

func randString(r *rand.Rand, alphabet []rune, n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// refine adds what a valid request of op must show beyond its status, and the bookkeeping of
// rows it creates or deletes.
func (f *apiFuzzer) refine(c *fuzzCase) {
	switch c.op.key {
	case "GET /products", "GET /users", "GET /orders":
		c.check = f.listCheck(c)
	case "GET /products/{id}":
		if c.role != roleAdmin {
			c.check = func(status int, body []byte) string {
				var p apptest.Product
				if status == http.StatusOK && (json.Unmarshal(body, &p) != nil || !p.IsActive) {
					return "a non-admin sees an inactive product"
				}
				return ""
			}
		}
	case "POST /orders":
		owner := c.role
		c.after = func(status int, body []byte) {
			var o struct {
				ID uint `json:"id"`
			}
			if status == http.StatusCreated && json.Unmarshal(body, &o) == nil && owner != roleAnon {
				f.orders[owner] = append(f.orders[owner], o.ID)
			}
		}
	case "POST /reports/sales":
		c.after = func(status int, body []byte) {
			var task struct {
				TaskID string `json:"task_id"`
			}
			if status == http.StatusAccepted && json.Unmarshal(body, &task) == nil {
				f.tasks = append(f.tasks, task.TaskID)
			}
		}
	case "DELETE /users/{id}":
		c.after = func(status int, _ []byte) {
			if status == http.StatusNoContent {
				f.victims = slices.DeleteFunc(f.victims, func(id uint) bool { return fmt.Sprint(id) == c.pathParams["id"] })
				f.victims = append(f.victims, f.newVictim())
			}
		}
	case "DELETE /products/{id}":
		c.after = func(status int, _ []byte) {
			if status == http.StatusNoContent {
				f.products = slices.DeleteFunc(f.products, func(id uint) bool { return fmt.Sprint(id) == c.pathParams["id"] })
				f.products = append(f.products, f.newProduct(1000))
			}
		}
	}
}

// listCheck checks a page of a list: the envelope echoes page and page_size, and every item
// is one the caller may see and the filters asked for (OWASP API1: a customer lists only their
// own orders, a non-admin only active products).
func (f *apiFuzzer) listCheck(c *fuzzCase) func(int, []byte) string {
	return func(status int, body []byte) string {
		if status != http.StatusOK {
			return ""
		}
		var pg struct {
			Items    []map[string]any `json:"items"`
			Total    int64            `json:"total"`
			Page     int64            `json:"page"`
			PageSize int64            `json:"page_size"`
		}
		if err := json.Unmarshal(body, &pg); err != nil {
			return "the list does not decode: " + err.Error()
		}
		wantPage, wantSize := int64(1), int64(20)
		if v, err := strconv.ParseInt(c.query.Get("page"), 10, 64); err == nil {
			wantPage = v
		}
		if v, err := strconv.ParseInt(c.query.Get("page_size"), 10, 64); err == nil {
			wantSize = v
		}
		switch {
		case pg.Page != wantPage || pg.PageSize != wantSize:
			return fmt.Sprintf("page %d page_size %d, want %d and %d", pg.Page, pg.PageSize, wantPage, wantSize)
		case pg.Items == nil:
			return "items is null, want an array"
		case int64(len(pg.Items)) > pg.PageSize:
			return fmt.Sprintf("%d items on a page of %d", len(pg.Items), pg.PageSize)
		case pg.Page == 1 && int64(len(pg.Items)) != min(pg.Total, pg.PageSize):
			return fmt.Sprintf("first page has %d items, total %d, page_size %d", len(pg.Items), pg.Total, pg.PageSize)
		}
		num := func(item map[string]any, k string) int64 { v, _ := item[k].(float64); return int64(v) }
		for i, it := range pg.Items {
			if msg := f.itemProblem(c, it, num); msg != "" {
				return fmt.Sprintf("item %v: %s", it["id"], msg)
			}
			if i > 0 {
				if msg := sortProblem(c.query.Get("sort"), pg.Items[i-1], it); msg != "" {
					return msg
				}
			}
		}
		return ""
	}
}

func (f *apiFuzzer) itemProblem(c *fuzzCase, it map[string]any, num func(map[string]any, string) int64) string {
	q := c.query
	boolParam := func(name string) (bool, bool) {
		switch strings.ToLower(q.Get(name)) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
		return false, false
	}
	// q: a case-insensitive "contains" on two text fields; checked for printable ASCII queries,
	// whose case folding is the same in Go and in every engine's collation. (A NUL matches every
	// row on SQLite, whose LIKE stops at it, and ignorable characters such as U+200D on MariaDB.)
	if qv := strings.TrimSpace(q.Get("q")); qv != "" && printableASCII(qv) {
		fields := map[string][]string{"GET /products": {"name", "sku"}, "GET /users": {"email", "full_name"}}[c.op.key]
		found := false
		for _, name := range fields {
			v, _ := it[name].(string)
			found = found || strings.Contains(strings.ToLower(v), strings.ToLower(qv))
		}
		if !found {
			return fmt.Sprintf("filter q=%q not applied to %v", qv, fields)
		}
	}
	switch c.op.key {
	case "GET /orders":
		if c.role != roleAdmin && uint(num(it, "user_id")) != f.customer.ID {
			return fmt.Sprintf("customer %d sees an order of user %v", f.customer.ID, it["user_id"])
		}
		if uid := q.Get("user_id"); uid != "" && fmt.Sprint(num(it, "user_id")) != uid {
			return "filter user_id=" + uid + " not applied"
		}
		if st := q.Get("status"); st != "" && it["status"] != st {
			return "filter status=" + st + " not applied"
		}
	case "GET /products":
		active, _ := it["is_active"].(bool)
		if c.role != roleAdmin && !active {
			return "a non-admin sees an inactive product"
		}
		if want, ok := boolParam("is_active"); ok && c.role == roleAdmin && active != want {
			return "filter is_active not applied"
		}
		if want, ok := boolParam("in_stock"); ok && (num(it, "stock") > 0) != want {
			return "filter in_stock not applied"
		}
		if v, err := strconv.ParseInt(q.Get("min_price_cents"), 10, 64); err == nil && num(it, "price_cents") < v {
			return "filter min_price_cents not applied"
		}
		if v, err := strconv.ParseInt(q.Get("max_price_cents"), 10, 64); err == nil && num(it, "price_cents") > v {
			return "filter max_price_cents not applied"
		}
	case "GET /users":
		if r := q.Get("role"); r != "" && it["role"] != r {
			return "filter role not applied"
		}
		if want, ok := boolParam("is_active"); ok && it["is_active"] != want {
			return "filter is_active not applied"
		}
	}
	return ""
}

func printableASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// sortProblem checks that two neighbours of a list sorted by a single numeric or time field are
// in order. Text fields are left out: their order is the database's collation.
func sortProblem(sort string, prev, next map[string]any) string {
	field, desc := strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	var cmp int
	switch field {
	case "id", "price_cents", "total_cents":
		a, _ := prev[field].(float64)
		b, _ := next[field].(float64)
		cmp = compare(a, b)
	case "created_at":
		a, errA := time.Parse(time.RFC3339Nano, fmt.Sprint(prev[field]))
		b, errB := time.Parse(time.RFC3339Nano, fmt.Sprint(next[field]))
		if errA != nil || errB != nil {
			return fmt.Sprintf("created_at %v or %v is not RFC 3339", prev[field], next[field])
		}
		cmp = a.Compare(b)
	default:
		return ""
	}
	if desc {
		cmp = -cmp
	}
	if cmp > 0 {
		return fmt.Sprintf("sort=%s: %v comes before %v", sort, prev[field], next[field])
	}
	return ""
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// nastyStrings are valid JSON strings that have broken services before. Within the length
// limits they are valid input; the service may accept or refuse them, never fail on them, and
// what it accepts it must give back unchanged.
var nastyStrings = []string{
	"😀🎉👍🏽", "👨‍👩‍👧‍👦 family", "مرحبا بالعالم", "שָׁלוֹם", "\u202eevil\u202c", "abc\u200d\u200cdef",
	"Ünïcødé ñ", "日本語テキスト", "a\x00b", "\x00", "nul at end\x00",
	"'; DROP TABLE users; --", "\" OR 1=1 --", "' OR ''='", "%_\\%", "a%b_c", "\\", "\\u0000",
	`{"a":1}`, "[]", "null", "</script><script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}",
	"\r\n\t", "\ufeffbom", "\U0010FFFF", string([]byte{0xff, 0xfe, 'x'}), "e\u0301", "ﬀ", "İstanbul",
	"   padded   ", "Ω≈ç√∫", "-1", "0", "1e309",
}

// nasty puts nasty strings into the string fields of a valid body, or into a text filter.
func (f *apiFuzzer) nasty(c *fuzzCase) {
	if c.op.body == nil {
		for _, p := range c.op.params("query") {
			if p.Schema.Value.Type.Is("string") && len(p.Schema.Value.Enum) == 0 {
				s := pick(f.rng, nastyStrings)
				c.query.Set(p.Name, s)
				c.kind = fmt.Sprintf("nasty: %s=%q", p.Name, s)
				c.allowed = append(slices.Clone(c.allowed), http.StatusBadRequest)
			}
		}
		return
	}
	var body map[string]any
	if err := json.Unmarshal(c.body, &body); err != nil {
		f.t.Fatal(err)
	}
	var changed []string
	for _, name := range slices.Sorted(maps.Keys(c.op.body.Properties)) {
		p := c.op.body.Properties[name].Value
		if !p.Type.Is("string") || len(p.Enum) > 0 || p.Format != "" || f.rng.IntN(3) == 0 {
			continue
		}
		s := pick(f.rng, nastyStrings)
		if name == "sku" || name == "email" {
			f.seq++
			s = fmt.Sprintf("%s%d", s, f.seq) // keep it unique
		}
		if name == "email" {
			s += "@example.com"
		}
		body[name] = s
		changed = append(changed, name)
	}
	if len(changed) == 0 {
		return
	}
	f.setJSON(c, body)
	c.kind = "nasty: " + strings.Join(changed, ", ")
	c.allowed = append(slices.Clone(c.allowed), http.StatusUnprocessableEntity)
	var sent map[string]any
	_ = json.Unmarshal(c.body, &sent) // what the server decodes: invalid UTF-8 became U+FFFD
	c.check = roundTrip(c.op.key, sent, changed)
}

// roundTrip checks that a write that succeeded stored the strings it was sent: trimmed of
// surrounding spaces where the contract trims (sku, name, full_name), unchanged otherwise.
func roundTrip(key string, sent map[string]any, fields []string) func(int, []byte) string {
	switch key {
	case "POST /products", "PUT /products/{id}", "PATCH /products/{id}", "POST /auth/register", "PATCH /users/{id}":
	default:
		return nil
	}
	return func(status int, body []byte) string {
		if status >= 300 {
			return ""
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			return "answer is not a JSON object"
		}
		for _, name := range fields {
			want, _ := sent[name].(string)
			switch name {
			case "password":
				continue
			case "sku", "name", "full_name":
				want = strings.TrimSpace(want)
			case "email":
				want = strings.ToLower(strings.TrimSpace(want))
			}
			if got[name] != want {
				return fmt.Sprintf("%s: stored %q, sent %q", name, got[name], sent[name])
			}
		}
		return ""
	}
}

// invalid turns c into a request the contract refuses, by one mutation picked at random.
func (f *apiFuzzer) invalid(c *fuzzCase) {
	var muts []func(*fuzzCase) bool
	if len(c.op.params("path")) > 0 {
		muts = append(muts, f.badPathParam, f.badPathParam)
	}
	if len(c.op.params("query")) > 0 {
		muts = append(muts, f.badQueryParam, f.badQueryParam, f.badQueryParam)
	}
	if len(c.op.params("header")) > 0 {
		muts = append(muts, f.badHeader)
	}
	if c.op.body != nil {
		muts = append(muts, f.wrongType, f.wrongType, f.missingRequired, f.outOfBounds, f.outOfBounds, f.outOfBounds,
			f.malformedJSON, f.malformedJSON, f.wrongContentType, f.notAnObject, f.duplicateKeys, f.hugeBody)
	}
	if len(muts) == 0 {
		return // nothing to get wrong: the case stays valid
	}
	for range 10 {
		if pick(f.rng, muts)(c) {
			return
		}
	}
}

// mutate rewrites the JSON body: edit gets the decoded object and says what it did.
func (f *apiFuzzer) mutate(c *fuzzCase, edit func(body map[string]any) string, allowed ...int) bool {
	var body map[string]any
	if err := json.Unmarshal(c.body, &body); err != nil {
		f.t.Fatal(err)
	}
	what := edit(body)
	if what == "" {
		return false
	}
	f.setJSON(c, body)
	c.kind, c.allowed, c.check, c.after = "invalid: "+what, allowed, nil, nil
	return true
}

// target picks a property of the body schema, or of an order line, with its schema and a setter.
func (f *apiFuzzer) target(c *fuzzCase, body map[string]any) (string, *openapi3.Schema, func(any)) {
	s := c.op.body
	if _, ok := s.Properties["items"]; ok && f.rng.IntN(2) == 0 {
		lines, _ := body["items"].([]any)
		if len(lines) > 0 {
			i := f.rng.IntN(len(lines))
			line := lines[i].(map[string]any)
			ls := s.Properties["items"].Value.Items.Value
			name := pick(f.rng, slices.Sorted(maps.Keys(ls.Properties)))
			return fmt.Sprintf("items[%d].%s", i, name), ls.Properties[name].Value, func(v any) { line[name] = v }
		}
	}
	name := pick(f.rng, slices.Sorted(maps.Keys(s.Properties)))
	return name, s.Properties[name].Value, func(v any) { body[name] = v }
}

// wrongType gives a property a value of another JSON type: a 400.
func (f *apiFuzzer) wrongType(c *fuzzCase) bool {
	return f.mutate(c, func(body map[string]any) string {
		name, s, set := f.target(c, body)
		var choices []any
		if !s.Type.Is("string") {
			choices = append(choices, "12", "")
		}
		if !s.Type.Is("integer") {
			choices = append(choices, 12)
		}
		if !s.Type.Is("boolean") {
			choices = append(choices, true)
		}
		if !s.Type.Is("array") {
			choices = append(choices, []any{1})
		}
		choices = append(choices, map[string]any{"x": 1})
		if s.Type.Is("integer") {
			choices = append(choices, 1.5, 1e30, json.Number("9223372036854775808"), json.Number("-9223372036854775809"))
		}
		v := pick(f.rng, choices)
		set(v)
		return fmt.Sprintf("%s of the wrong type (%#v)", name, v)
	}, http.StatusBadRequest)
}

// missingRequired leaves out a required property.
func (f *apiFuzzer) missingRequired(c *fuzzCase) bool {
	return f.mutate(c, func(body map[string]any) string {
		if len(c.op.body.Required) == 0 {
			return ""
		}
		name := pick(f.rng, c.op.body.Required)
		if name == "items" && f.rng.IntN(2) == 0 {
			lines, _ := body["items"].([]any)
			if len(lines) > 0 {
				field := pick(f.rng, []string{"product_id", "quantity"})
				delete(lines[0].(map[string]any), field)
				return "items[0]." + field + " missing"
			}
		}
		delete(body, name)
		return name + " missing"
	}, http.StatusBadRequest, http.StatusUnprocessableEntity)
}

// outOfBounds breaks a minimum, maximum, length, item count or enum.
func (f *apiFuzzer) outOfBounds(c *fuzzCase) bool {
	return f.mutate(c, func(body map[string]any) string {
		name, s, set := f.target(c, body)
		var opts []func() string
		if s.Min != nil {
			opts = append(opts, func() string { set(int64(*s.Min) - 1); return name + " below its minimum" },
				func() string { set(math.MinInt64); return name + " = MinInt64" })
		}
		if s.Max != nil {
			opts = append(opts, func() string { set(int64(*s.Max) + 1); return name + " above its maximum" },
				func() string { set(math.MaxInt64); return name + " = MaxInt64" })
		}
		if s.MaxLength != nil {
			n := int(*s.MaxLength)
			opts = append(opts,
				func() string { set(strings.Repeat("x", n+1)); return fmt.Sprintf("%s of %d characters", name, n+1) },
				func() string { set(strings.Repeat("😀", n+1)); return fmt.Sprintf("%s of %d emoji", name, n+1) },
				func() string { set(strings.Repeat("é", 100_000)); return name + " of 100000 characters" })
		}
		if s.MinLength > 0 {
			opts = append(opts, func() string {
				v := strings.Repeat("x", int(s.MinLength)-1)
				if s.MinLength == 1 {
					v = pick(f.rng, []string{"", " ", "\t\n "})
				}
				set(v)
				return fmt.Sprintf("%s shorter than %d (%q)", name, s.MinLength, v)
			})
		}
		if len(s.Enum) > 0 {
			opts = append(opts, func() string {
				v := pick(f.rng, []string{"nope", "ADMIN", "Paid", "paid ", "", "refunded", "superuser"})
				set(v)
				return fmt.Sprintf("%s outside its enum (%q)", name, v)
			})
		}
		if s.Format == "date" {
			opts = append(opts, func() string {
				v := pick(f.rng, []string{"2026-02-30", "2026-13-01", "26-01-01", "2026/01/01", "2026-01-01T00:00:00Z", "yesterday", ""})
				set(v)
				return fmt.Sprintf("%s not a date (%q)", name, v)
			})
		}
		if s.Type.Is("array") {
			opts = append(opts, func() string { set([]any{}); return name + " empty" }, func() string {
				var lines []any
				for i := range 51 {
					lines = append(lines, map[string]any{"product_id": 1_000_000 + i, "quantity": 1})
				}
				set(lines)
				return name + " with 51 lines"
			})
		}
		if name == "items" || strings.HasSuffix(name, ".product_id") {
			if lines, _ := body["items"].([]any); len(lines) > 0 {
				opts = append(opts, func() string {
					body["items"] = append(lines, lines[0])
					return "items with a product twice"
				})
			}
		}
		if len(opts) == 0 {
			return ""
		}
		return pick(f.rng, opts)()
	}, http.StatusBadRequest, http.StatusUnprocessableEntity)
}

// malformedJSON sends a body that is not one JSON value.
func (f *apiFuzzer) malformedJSON(c *fuzzCase) bool {
	good := string(c.body)
	bad := pick(f.rng, []string{
		good[:len(good)/2], good + "x", good + good, good + ",", "{", "}", "{'sku': 1}", `{"a":NaN}`,
		`{"a":1,}`, "\ufeff" + good, "/* c */" + good, `{"a":"\x01"}`, strings.Repeat("[", 10_000),
		"{\"a\":\"" + "\\ud800" + "\"", "\x00", "{\"a\"\x00:1}", good[:len(good)-1],
	})
	c.body, c.hasBody = []byte(bad), true
	c.header.Set("Content-Type", "application/json")
	c.kind, c.allowed, c.check, c.after = fmt.Sprintf("invalid: malformed JSON %.40q", bad), []int{http.StatusBadRequest}, nil, nil
	return true
}

// notAnObject sends JSON that is not an object, or no body at all.
func (f *apiFuzzer) notAnObject(c *fuzzCase) bool {
	bad := pick(f.rng, []string{"[]", `"text"`, "1", "true", "null", "", " ", "[{}]"})
	c.body, c.hasBody = []byte(bad), true
	c.header.Set("Content-Type", "application/json")
	c.kind, c.allowed, c.check, c.after = fmt.Sprintf("invalid: body %q", bad), []int{http.StatusBadRequest}, nil, nil
	return true
}

// wrongContentType sends a good body under another media type.
func (f *apiFuzzer) wrongContentType(c *fuzzCase) bool {
	ct := pick(f.rng, []string{"text/plain", "application/xml", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/jsonp", "json", ";;", "application/json;;;"})
	c.header.Set("Content-Type", ct)
	c.kind, c.allowed, c.check, c.after = "invalid: Content-Type "+ct, []int{http.StatusBadRequest}, nil, nil
	return true
}

// duplicateKeys repeats a key with another value. JSON leaves the outcome open; the service
// must still answer with a documented status.
func (f *apiFuzzer) duplicateKeys(c *fuzzCase) bool {
	name := pick(f.rng, slices.Sorted(maps.Keys(c.op.body.Properties)))
	dup := fmt.Sprintf(`{%q:%s,`, name, pick(f.rng, []string{`"x"`, "1", "-1", "null", "{}"}))
	c.body = append([]byte(dup), bytes.TrimPrefix(c.body, []byte("{"))...)
	if bytes.Equal(c.body[len(dup):], []byte("}")) {
		c.body = append(c.body[:len(dup)-1], '}')
	}
	c.kind, c.allowed, c.check = "odd: duplicate key "+name, nil, nil
	return true
}

// hugeBody sends more than the body limit: a 413.
func (f *apiFuzzer) hugeBody(c *fuzzCase) bool {
	if f.rng.IntN(4) != 0 {
		return false // they are slow; keep them rare
	}
	c.body = fmt.Appendf(nil, `{"pad":%q}`, strings.Repeat("x", 1<<20+f.rng.IntN(1<<10)))
	c.kind, c.allowed, c.check, c.after = fmt.Sprintf("invalid: body of %d bytes", len(c.body)), []int{http.StatusRequestEntityTooLarge}, nil, nil
	return true
}

// badPathParam names a row by something that is not a positive id, or by one that cannot exist.
func (f *apiFuzzer) badPathParam(c *fuzzCase) bool {
	p := pick(f.rng, c.op.params("path"))
	v := pick(f.rng, []string{"0", "-1", "abc", "1.5", "1e3", "+1", " 1", "0x1f", "99999999999999999999",
		"18446744073709551616", "-9223372036854775808", "%00", "1%00", "%F0%9F%98%80", "١", "１", "null",
		"1;DROP TABLE users", "%27%20OR%201%3D1", "%2e%2e", "..", "%5C", "%25", "9223372036854775807", "4611686018427387904",
		strings.Repeat("9", 400)})
	allowed := []int{http.StatusBadRequest, http.StatusNotFound}
	if p.Name == "task_id" {
		v = pick(f.rng, []string{v, "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
			strings.Repeat("a", 65), "..%5C..%5Cetc%5Cpasswd"})
	}
	c.pathParams[p.Name] = v
	c.kind, c.allowed, c.check, c.after = fmt.Sprintf("invalid: path %s=%q", p.Name, v), allowed, nil, nil
	return true
}

// badQueryParam breaks one query parameter: a number that is not one or out of range, a
// boolean that is not one, a value outside an enum, a text too long.
func (f *apiFuzzer) badQueryParam(c *fuzzCase) bool {
	p := pick(f.rng, c.op.params("query"))
	s := p.Schema.Value
	var v string
	switch {
	case s.Type.Is("integer"):
		opts := []string{"abc", "1.5", "", " 1", "1e2", "0x10", "99999999999999999999", "-9223372036854775809"}
		if s.Min != nil {
			opts = append(opts, fmt.Sprint(int64(*s.Min)-1), "-1")
		}
		if s.Max != nil {
			opts = append(opts, fmt.Sprint(int64(*s.Max)+1), fmt.Sprint(int64(*s.Max)*10+7))
		}
		v = pick(f.rng, opts)
	case s.Type.Is("boolean"):
		v = pick(f.rng, []string{"yes", "no", "maybe", "", "2", "TRUEISH", "t"})
	case len(s.Enum) > 0:
		v = pick(f.rng, []string{"nope", "", "-", "--id", "id,", ",", "id,,id", "password_hash", "id;DROP TABLE users",
			"deleted_at", "ID", " id", "(select 1)"})
	case s.MaxLength != nil:
		v = strings.Repeat(pick(f.rng, []string{"x", "é", "😀"}), int(*s.MaxLength)+1+f.rng.IntN(100))
	default:
		return false
	}
	c.query.Set(p.Name, v)
	c.kind, c.allowed, c.check, c.after = fmt.Sprintf("invalid: query %s=%.40q", p.Name, v), []int{http.StatusBadRequest}, nil, nil
	return true
}

// badHeader breaks the Idempotency-Key header.
func (f *apiFuzzer) badHeader(c *fuzzCase) bool {
	v := pick(f.rng, []string{strings.Repeat("k", 129), "tab\there", "nul\x00", "ünïcode", "😀", "new\nline", "\x7f", strings.Repeat("k", 10_000)})
	c.header.Set("Idempotency-Key", v)
	c.kind, c.allowed, c.check, c.after = fmt.Sprintf("invalid: Idempotency-Key %.40q", v), []int{http.StatusBadRequest}, nil, nil
	return true
}

// request builds the HTTP request of c.
func (f *apiFuzzer) request(c *fuzzCase) *http.Request {
	path := c.op.path
	for k, v := range c.pathParams {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	target := routes.BasePath + path
	if q := c.query.Encode(); q != "" {
		target += "?" + q
	}
	var body *bytes.Reader
	if c.hasBody {
		body = bytes.NewReader(c.body)
	} else {
		body = bytes.NewReader(nil)
	}
	req := httptest.NewRequestWithContext(f.t.Context(), c.op.method, "/", body)
	u, err := url.Parse(target)
	if err != nil {
		u = &url.URL{Path: routes.BasePath + path, RawQuery: c.query.Encode()}
	}
	req.URL, req.RequestURI = u, target
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	switch c.role {
	case roleAdmin, roleCustomer:
		req.Header.Set("Authorization", "Bearer "+f.userFor(c.role).Token)
	case roleBadToken:
		req.Header.Set("Authorization", pick(f.rng, f.badTokens))
	}
	return req
}

// send sends c and checks the answer.
func (f *apiFuzzer) send(c *fuzzCase) {
	f.t.Helper()
	req := f.request(c)
	w := httptest.NewRecorder()
	f.e.App.Handler.ServeHTTP(w, req)
	f.sent++
	status, body := w.Code, w.Body.Bytes()
	f.outcomes[strconv.Itoa(status)]++

	problems := f.verify(c, req, w)
	if c.after != nil && status < 300 {
		c.after(status, body)
	}
	if len(problems) == 0 {
		return
	}
	f.failed++
	if f.failed > fuzzMaxReported {
		return
	}
	f.t.Errorf("request #%d (%s, as %s):\n  %s\n%s\nanswer: %d %v\n  %s",
		f.sent, c.kind, c.role, strings.Join(problems, "\n  "), dumpRequest(req, c.body), status, w.Header(), clip(body))
}

// verify lists what is wrong with the answer w to c.
func (f *apiFuzzer) verify(c *fuzzCase, req *http.Request, w *httptest.ResponseRecorder) []string {
	var problems []string
	status, body := w.Code, w.Body.Bytes()
	if status >= 500 {
		problems = append(problems, fmt.Sprintf("server error %d", status))
	}

	input := &openapi3filter.RequestValidationInput{Request: req, PathParams: c.pathParams, Route: c.op.route}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input, Status: status, Header: w.Header(),
		Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}); err != nil {
		problems = append(problems, "the answer does not match the spec: "+oneLine(err.Error()))
	}
	if status >= 400 {
		if msg := envelopeProblem(status, body); msg != "" {
			problems = append(problems, msg)
		}
	}
	for _, leak := range []string{"$2a$", "$2b$", "$2y$", "password_hash", "token_version", "deleted_at", "goroutine ", ".go:", "Error 1", "sqlite", "SQLSTATE"} {
		if bytes.Contains(body, []byte(leak)) && !bytes.Contains(c.body, []byte(leak)) && !bytes.Contains([]byte(req.URL.RawQuery), []byte(url.QueryEscape(leak))) {
			problems = append(problems, fmt.Sprintf("the answer shows %q", leak))
		}
	}

	switch {
	case len(c.body) > int(apptest.Config().HTTP.MaxBodyBytes):
		// A declared body over the cap is refused before anything else is looked at, the
		// token included: the server will not read it (middleware.LimitBody).
		problems = append(problems, wantStatus(status, body, http.StatusRequestEntityTooLarge, "payload_too_large", "a body over the cap")...)
	case c.op.tokenLooked && c.role == roleBadToken:
		problems = append(problems, wantStatus(status, body, http.StatusUnauthorized, "unauthorized", "a bad token")...)
	case c.op.protected && c.role == roleAnon:
		problems = append(problems, wantStatus(status, body, http.StatusUnauthorized, "unauthorized", "no token on a protected operation")...)
	case c.op.access == routes.Admin && c.role == roleCustomer:
		problems = append(problems, wantStatus(status, body, http.StatusForbidden, "forbidden", "a customer on an admin operation")...)
	default:
		if c.allowed != nil && !slices.Contains(c.allowed, status) {
			problems = append(problems, fmt.Sprintf("status %d, want one of %v for this %s request", status, c.allowed, strings.SplitN(c.kind, ":", 2)[0]))
		}
		if strings.HasPrefix(c.kind, "invalid") && status < 400 {
			problems = append(problems, fmt.Sprintf("invalid input accepted with %d", status))
		}
		if c.check != nil {
			if msg := c.check(status, body); msg != "" {
				problems = append(problems, msg)
			}
		}
	}
	return problems
}

func wantStatus(status int, body []byte, want int, code, why string) []string {
	if status != want {
		return []string{fmt.Sprintf("%s: status %d, want %d", why, status, want)}
	}
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error.Code != code {
		return []string{fmt.Sprintf("%s: error code %q, want %q", why, env.Error.Code, code)}
	}
	return nil
}

// envelopeProblem checks an error answer is exactly {"error":{"code","message"[,"details"]}}
// with a contract code that goes with the status, or says what is wrong.
func envelopeProblem(status int, body []byte) string {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return "the error answer is not a JSON object"
	}
	if keys := slices.Sorted(maps.Keys(top)); !slices.Equal(keys, []string{"error"}) {
		return fmt.Sprintf("the error answer has keys %v, want only [error]", keys)
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &inner); err != nil {
		return "the error member is not an object"
	}
	for k := range inner {
		if k != "code" && k != "message" && k != "details" {
			return fmt.Sprintf("unexpected key %q in the error envelope", k)
		}
	}
	var env struct {
		Code    apperr.Code `json:"code"`
		Message string      `json:"message"`
	}
	if err := json.Unmarshal(top["error"], &env); err != nil || strings.TrimSpace(env.Message) == "" {
		return "the error envelope has no message"
	}
	want := env.Code.Status()
	if env.Code == apperr.CodeValidation && status == http.StatusBadRequest {
		want = status // query-parameter validation errors are 400s
	}
	if want != status || (env.Code == apperr.CodeInternal && status != http.StatusInternalServerError) {
		return fmt.Sprintf("error code %q does not go with status %d", env.Code, status)
	}
	return ""
}

func dumpRequest(req *http.Request, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "request: %s %s\n", req.Method, req.RequestURI)
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			if k == "Authorization" && len(v) > 40 {
				v = v[:40] + "…"
			}
			fmt.Fprintf(&b, "  %s: %q\n", k, v)
		}
	}
	fmt.Fprintf(&b, "  body: %s", clip(body))
	return b.String()
}

// clip shows at most 600 bytes of a body, quoted when it is not printable.
func clip(b []byte) string {
	const max = 600
	s := string(b)
	suffix := ""
	if len(s) > max {
		s, suffix = s[:max], fmt.Sprintf("… (%d bytes)", len(b))
	}
	return strconv.Quote(s) + suffix
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 800 {
		s = s[:800] + "…"
	}
	return s
}
