package controllers

// Native fuzz targets (issue "Hardening", part 2) for what every request goes through before
// a service sees it: the list query parser and the JSON binding and validation of each request
// type. Their seed corpus (f.Add and testdata/fuzz/) runs as ordinary tests; to fuzz one:
//
//	go test ./controllers -run '^$' -fuzz '^FuzzProductRequest$' -fuzztime 30s
//
// Properties: nothing panics; what is accepted satisfies the contract's rules; what is refused
// is an apperr error with a contract code, and a 400 exactly when the body is not one JSON
// object of the right field types. Inputs that once failed are kept in testdata/fuzz/.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
	"tienda/controllers/dto"
	"tienda/listing"
	"tienda/middleware"
	"tienda/models"
	"tienda/services"
)

// bindBody runs bindJSON on body as a handler does.
func bindBody(body []byte, dst validator) error {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	c.Request.Header.Set("Content-Type", "application/json")
	return bindJSON(c, dst)
}

// jsonObjectOf reports whether body is exactly one JSON object whose fields have the types of T.
func jsonObjectOf[T any](body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return json.Valid(body) && len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(body, new(T)) == nil
}

// checkBind binds body into a T and checks the outcome: accepted values pass ok (which returns
// what breaks the contract, or ""), refusals carry a contract code, and 400 means exactly that
// the body is not a JSON object of T's field types. fields matches the field names a
// validation error may name.
func checkBind[T any, PT interface {
	*T
	validator
}](t *testing.T, body []byte, fields *regexp.Regexp, ok func(v *T) string) {
	t.Helper()
	var v T
	err := bindBody(body, PT(&v))
	object := jsonObjectOf[T](body)
	if err == nil {
		if !object {
			t.Fatalf("accepted %q, which is not a JSON object of the request's field types", body)
		}
		if msg := ok(&v); msg != "" {
			t.Fatalf("accepted %q as %+v, which breaks the contract: %s", body, v, msg)
		}
		// Validate normalizes (trims, lower-cases) in place: doing it again changes nothing.
		again := v
		if err := PT(&again).Validate(); err != nil {
			t.Fatalf("accepted %q, but its normalized form %+v fails Validate: %v", body, v, err)
		}
		return
	}
	ae, isApp := apperr.As(err)
	if !isApp {
		t.Fatalf("%q: error %v is not an apperr error: it would be a 500", body, err)
	}
	if ae.Message == "" {
		t.Fatalf("%q: error without a message", body)
	}
	switch ae.Code {
	case apperr.CodeBadRequest:
		if object {
			t.Fatalf("%q is a JSON object of the right types, yet refused as a bad request: %v", body, err)
		}
	case apperr.CodeValidation:
		if !object {
			t.Fatalf("%q is not a JSON object of the right types, yet judged field by field: %v", body, err)
		}
		if len(ae.Details) == 0 {
			t.Fatalf("%q: validation error without details", body)
		}
		for _, d := range ae.Details {
			if !fields.MatchString(d.Field) || d.Message == "" {
				t.Fatalf("%q: detail %+v names no field of the request or says nothing", body, d)
			}
		}
	case apperr.CodePayloadTooLarge:
		if len(body) <= 1<<20 { // the default http.max_body_bytes
			t.Fatalf("%q: payload_too_large for %d bytes", body, len(body))
		}
	default:
		t.Fatalf("%q: error code %q, want bad_request, validation_error or payload_too_large", body, ae.Code)
	}
	if s := ae.HTTPStatus(); s != http.StatusBadRequest && s != http.StatusUnprocessableEntity && s != http.StatusRequestEntityTooLarge {
		t.Fatalf("%q: status %d for invalid input", body, s)
	}
}

// Contract checks shared by the request types; each returns what is wrong, or "".

func lengthIn(field, s string, lo, hi int) string {
	if n := apperr.Len(s); n < lo || n > hi || !utf8.ValidString(s) {
		return field + " has " + strconv.Itoa(n) + " UTF-16 units, want " + strconv.Itoa(lo) + ".." + strconv.Itoa(hi)
	}
	return ""
}

func trimmed(field, s string) string {
	if s != strings.TrimSpace(s) {
		return field + " keeps surrounding spaces"
	}
	return ""
}

func inRange(field string, v *int64, lo, hi int64) string {
	if v == nil {
		return field + " is missing"
	}
	if *v < lo || *v > hi {
		return field + " = " + strconv.FormatInt(*v, 10) + " out of range"
	}
	return ""
}

// password: the contract says at least 8 characters; bcrypt reads at most 72 bytes.
func password(p string) string {
	if utf8.RuneCountInString(p) < 8 {
		return "password shorter than 8 characters"
	}
	if len(p) > 72 {
		return "password longer than 72 bytes"
	}
	return ""
}

func email(e string) string {
	at := strings.LastIndexByte(e, '@')
	addr, err := mail.ParseAddress(e)
	switch {
	case e != strings.ToLower(strings.TrimSpace(e)):
		return "email not normalized"
	case len(e) == 0 || len(e) > dto.MaxEmail:
		return "email length out of range"
	case err != nil || addr.Address != e || at < 1 || !strings.Contains(e[at:], "."):
		return "email is not a plain address"
	case strings.IndexFunc(e, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }) >= 0:
		return "email has invisible characters"
	}
	return ""
}

func first(msgs ...string) string {
	for _, m := range msgs {
		if m != "" {
			return m
		}
	}
	return ""
}

// bodySeeds are bodies every request type is seeded with, besides its own.
var bodySeeds = []string{
	"", " ", "null", "{}", "[]", `"x"`, "1", "{", `{"a":1}{}`, `{"a":1} x`, "\ufeff{}", `{"a":NaN}`,
	`{"sku":1}`, `{"items":null}`, `{"status":null}`, "{\"email\":\"\x00\"}",
}

func addSeeds(f *testing.F, own ...string) {
	for _, s := range append(slices.Clone(bodySeeds), own...) {
		f.Add([]byte(s))
	}
}

var productFields = regexp.MustCompile(`^(sku|name|description|price_cents|stock)$`)

func checkProduct(r *dto.ProductRequest) string {
	return first(trimmed("sku", r.SKU), trimmed("name", r.Name),
		lengthIn("sku", r.SKU, 1, 64), lengthIn("name", r.Name, 1, 200), lengthIn("description", r.Description, 0, 2000),
		inRange("price_cents", r.PriceCents, 0, dto.MaxPriceCents), inRange("stock", r.Stock, 0, dto.MaxStock))
}

func FuzzProductRequest(f *testing.F) {
	addSeeds(f,
		`{"sku":"MUG-1","name":"Mug","price_cents":1299,"stock":25}`,
		`{"sku":" MUG-1 ","name":"Mug","description":"blue","price_cents":0,"stock":0,"is_active":false}`,
		`{"sku":"😀","name":"ñ","price_cents":1000000000000,"stock":1000000000}`,
		`{"sku":"x","name":"y","price_cents":1000000000001,"stock":-1}`,
		`{"sku":"x","name":"y","price_cents":1.5,"stock":1}`,
		`{"sku":"x","name":"y","price_cents":"1","stock":1}`,
		`{"sku":"x","name":"y","price_cents":9223372036854775808,"stock":1}`,
		`{"sku":"\u0000","name":"\u202e","price_cents":1,"stock":1}`,
		`{"sku":"a","sku":"b","name":"n","price_cents":1,"stock":1,"role":"admin","id":7}`,
		`{"sku":"`+strings.Repeat("😀", 32)+`","name":"n","price_cents":1,"stock":1}`,
		`{"sku":"`+strings.Repeat("😀", 33)+`","name":"n","price_cents":1,"stock":1}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, productFields, checkProduct)
	})
}

func FuzzProductPatchRequest(f *testing.F) {
	addSeeds(f,
		`{"stock":0}`, `{"sku":"  "}`, `{"name":null,"price_cents":null}`, `{"is_active":0}`,
		`{"description":"`+strings.Repeat("d", 2001)+`"}`, `{"sku":"N\u0301","price_cents":-0}`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, productFields, func(r *dto.ProductPatchRequest) string {
			var msgs []string
			if r.SKU != nil {
				msgs = append(msgs, trimmed("sku", *r.SKU), lengthIn("sku", *r.SKU, 1, 64))
			}
			if r.Name != nil {
				msgs = append(msgs, trimmed("name", *r.Name), lengthIn("name", *r.Name, 1, 200))
			}
			if r.Description != nil {
				msgs = append(msgs, lengthIn("description", *r.Description, 0, 2000))
			}
			if r.PriceCents != nil {
				msgs = append(msgs, inRange("price_cents", r.PriceCents, 0, dto.MaxPriceCents))
			}
			if r.Stock != nil {
				msgs = append(msgs, inRange("stock", r.Stock, 0, dto.MaxStock))
			}
			return first(msgs...)
		})
	})
}

func FuzzRegisterRequest(f *testing.F) {
	addSeeds(f,
		`{"email":"ana@example.com","password":"correct horse","full_name":"Ana"}`,
		`{"email":" ANA@Example.COM ","password":"12345678","full_name":" Ana Pérez "}`,
		`{"email":"Ana <ana@example.com>","password":"12345678","full_name":"A"}`,
		`{"email":"ana@localhost","password":"12345678","full_name":"A"}`,
		`{"email":"ana@example.com","password":"`+strings.Repeat("é", 36)+`","full_name":"A"}`,
		`{"email":"\"a b\"@example.com","password":"12345678","full_name":"A","role":"admin","is_active":false}`,
		`{"email":"a@b.c","password":"1234567","full_name":""}`,
	)
	fields := regexp.MustCompile(`^(email|password|full_name)$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, fields, func(r *dto.RegisterRequest) string {
			return first(email(r.Email), password(r.Password), trimmed("full_name", r.FullName),
				lengthIn("full_name", r.FullName, 1, dto.MaxFullName))
		})
	})
}

func FuzzLoginRequest(f *testing.F) {
	addSeeds(f,
		`{"email":"ana@example.com","password":"x"}`, `{"email":" ","password":"x"}`,
		`{"email":"ANA@EXAMPLE.COM ","password":"`+strings.Repeat("p", 1025)+`"}`,
	)
	fields := regexp.MustCompile(`^(email|password)$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, fields, func(r *dto.LoginRequest) string {
			switch {
			case r.Email == "" || len(r.Email) > dto.MaxEmail || r.Email != dto.NormalizeEmail(r.Email):
				return "email empty, too long or not normalized"
			case r.Password == "" || len(r.Password) > 1024:
				return "password empty or longer than 1024 bytes"
			}
			return ""
		})
	})
}

func FuzzUserPatchRequest(f *testing.F) {
	addSeeds(f,
		`{"role":"admin"}`, `{"role":"root"}`, `{"role":"Admin"}`, `{"is_active":false,"full_name":" B "}`,
		`{"password":"short"}`, `{"full_name":"\t"}`, `{"role":null,"password":null}`,
	)
	fields := regexp.MustCompile(`^(full_name|role|password)$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, fields, func(r *dto.UserPatchRequest) string {
			var msgs []string
			if r.FullName != nil {
				msgs = append(msgs, trimmed("full_name", *r.FullName), lengthIn("full_name", *r.FullName, 1, dto.MaxFullName))
			}
			if r.Role != nil && *r.Role != "admin" && *r.Role != "customer" {
				msgs = append(msgs, "role "+strconv.Quote(*r.Role))
			}
			if r.Password != nil {
				msgs = append(msgs, password(*r.Password))
			}
			return first(msgs...)
		})
	})
}

func FuzzPlaceOrderRequest(f *testing.F) {
	lines := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, `{"product_id":`+strconv.Itoa(i+1)+`,"quantity":1}`)
		}
		return `{"items":[` + strings.Join(parts, ",") + `]}`
	}
	addSeeds(f,
		lines(1), lines(50), lines(51), `{"items":[]}`,
		`{"items":[{"product_id":1,"quantity":1000},{"product_id":2,"quantity":1001}]}`,
		`{"items":[{"product_id":1,"quantity":1},{"product_id":1,"quantity":2}]}`,
		`{"items":[{"product_id":0,"quantity":1}]}`, `{"items":[{"product_id":-9223372036854775808,"quantity":1}]}`,
		`{"items":[{"product_id":1}]}`, `{"items":[{"product_id":"1","quantity":1}]}`,
		`{"items":[{"product_id":1,"quantity":1}],"user_id":1,"status":"paid","total_cents":0}`,
	)
	fields := regexp.MustCompile(`^items(\[\d+\]\.(product_id|quantity))?$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, fields, func(r *dto.PlaceOrderRequest) string {
			if len(r.Items) < 1 || len(r.Items) > dto.MaxOrderLines {
				return strconv.Itoa(len(r.Items)) + " lines"
			}
			seen := map[int64]bool{}
			for _, l := range r.Items {
				switch {
				case l.ProductID < 1 || seen[l.ProductID]:
					return "product_id " + strconv.FormatInt(l.ProductID, 10) + " not positive or repeated"
				case l.Quantity < 1 || l.Quantity > dto.MaxQuantity:
					return "quantity " + strconv.FormatInt(l.Quantity, 10)
				}
				seen[l.ProductID] = true
			}
			for i, l := range r.Input("").Lines {
				if int64(l.ProductID) != r.Items[i].ProductID {
					return "product_id changes on its way to the service"
				}
			}
			return ""
		})
	})
}

func FuzzOrderStatusRequest(f *testing.F) {
	addSeeds(f, `{"status":"paid"}`, `{"status":"PAID"}`, `{"status":"paid "}`, `{"status":1}`, `{"status":"cancelled"}`)
	fields := regexp.MustCompile(`^status$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, fields, func(r *dto.OrderStatusRequest) string {
			switch models.OrderStatus(r.Status) {
			case models.OrderPending, models.OrderPaid, models.OrderShipped, models.OrderDelivered, models.OrderCancelled:
				return ""
			}
			return "status " + strconv.Quote(r.Status)
		})
	})
}

func FuzzSalesReportRequest(f *testing.F) {
	addSeeds(f,
		`{"from":"2026-11-01","to":"2026-11-30"}`, `{"from":"2026-11-30","to":"2026-11-01"}`,
		`{"from":"2016-01-01","to":"2026-12-31"}`, `{"from":"2026-02-29","to":"2026-03-01"}`,
		`{"from":"0000-01-01","to":"9999-12-31"}`, `{"from":"2026-1-1","to":"2026-01-02"}`,
		`{"from":"2026-01-01T00:00:00Z","to":"2026-01-02"}`,
	)
	fields := regexp.MustCompile(`^(from|to)$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkBind(t, body, fields, func(r *dto.SalesReportRequest) string {
			from, ferr := time.Parse(time.DateOnly, r.From)
			to, terr := time.Parse(time.DateOnly, r.To)
			switch {
			case ferr != nil || terr != nil || from.Format(time.DateOnly) != r.From || to.Format(time.DateOnly) != r.To:
				return "from or to is not a date like 2026-11-01"
			case from.Year() < services.MinReportYear || from.Year() > services.MaxReportYear ||
				to.Year() < services.MinReportYear || to.Year() > services.MaxReportYear:
				return "a date outside the years the report allows"
			case to.Before(from) || to.Sub(from) > services.MaxReportDays*24*time.Hour:
				return "the range is reversed or too long"
			}
			return ""
		})
	})
}

// Query parsing: the three list handlers with services that record what they were asked.

type productLister struct {
	ProductService // only List is called
	got            *services.ProductQuery
}

func (p *productLister) List(_ context.Context, _ services.Actor, q services.ProductQuery) (services.Page[models.Product], error) {
	p.got = &q
	return services.Page[models.Product]{Items: []models.Product{}, Page: q.List.Page, PageSize: q.List.PageSize}, nil
}

type userLister struct {
	UserService
	got *services.UserQuery
}

func (u *userLister) List(_ context.Context, q services.UserQuery) (services.Page[models.User], error) {
	u.got = &q
	return services.Page[models.User]{Items: []models.User{}, Page: q.List.Page, PageSize: q.List.PageSize}, nil
}

type orderLister struct {
	OrderService
	got *services.OrderQuery
}

func (o *orderLister) List(_ context.Context, _ services.Actor, q services.OrderQuery) (services.Page[models.Order], error) {
	o.got = &q
	return services.Page[models.Order]{Items: []models.Order{}, Page: q.List.Page, PageSize: q.List.PageSize}, nil
}

// listParams is what the contract lets each list take: its sort fields, and a check of every
// other parameter's value.
type listParams struct {
	sortable []string
	params   map[string]func(string) bool
}

func intIn(lo, hi int64) func(string) bool {
	return func(s string) bool {
		v, err := strconv.ParseInt(s, 10, 64)
		return err == nil && v >= lo && v <= hi
	}
}

func oneOfValues(vs ...string) func(string) bool {
	return func(s string) bool { return slices.Contains(vs, s) }
}

func boolValue(s string) bool { return oneOfValues("true", "false", "1", "0")(strings.ToLower(s)) }

func textValue(s string) bool {
	return apperr.Len(strings.TrimSpace(s)) <= MaxQueryLength && !strings.Contains(s, "\x00")
}

var listContract = map[string]listParams{
	"products": {[]string{"id", "name", "price_cents", "created_at"}, map[string]func(string) bool{
		"q": textValue, "min_price_cents": intIn(0, math.MaxInt64), "max_price_cents": intIn(0, math.MaxInt64),
		"in_stock": boolValue, "is_active": boolValue,
	}},
	"users": {[]string{"id", "email", "created_at"}, map[string]func(string) bool{
		"q": textValue, "role": oneOfValues("admin", "customer"), "is_active": boolValue,
	}},
	"orders": {[]string{"id", "created_at", "total_cents"}, map[string]func(string) bool{
		"user_id": intIn(1, math.MaxInt64), "status": oneOfValues("pending", "paid", "shipped", "delivered", "cancelled"),
	}},
}

// validQuery says, from the contract alone, whether a list accepts the query vals.
func validQuery(lp listParams, vals url.Values) bool {
	if _, ok := vals["page"]; ok && !intIn(1, MaxPage)(vals.Get("page")) {
		return false
	}
	if _, ok := vals["page_size"]; ok && !intIn(1, MaxPageSize)(vals.Get("page_size")) {
		return false
	}
	if _, ok := vals["sort"]; ok {
		for field := range strings.SplitSeq(vals.Get("sort"), ",") {
			if !slices.Contains(lp.sortable, strings.TrimPrefix(field, "-")) {
				return false
			}
		}
	}
	for name, ok := range lp.params {
		if _, present := vals[name]; present && !ok(vals.Get(name)) {
			return false
		}
	}
	return true
}

func FuzzListQuery(f *testing.F) {
	for _, s := range []string{
		"", "page=1&page_size=100", "page=0", "page=1000000", "page=1000001", "page_size=101", "page_size=-1",
		"page=9223372036854775807", "page=99999999999999999999", "page=1.0", "page=+1", "page=%20", "page=&page=2",
		"sort=-id,name", "sort=-price_cents", "sort=--id", "sort=", "sort=id,", "sort=password_hash", "sort=email",
		"sort=total_cents", "sort=ID", "q=%00", "q=" + strings.Repeat("x", 201), "q=" + strings.Repeat("%F0%9F%98%80", 101),
		"q=%20%20x%20%20", "min_price_cents=-1", "max_price_cents=9223372036854775808", "in_stock=TRUE", "in_stock=yes",
		"is_active=0", "role=admin", "role=root", "user_id=0", "user_id=1", "status=paid", "status=lost", "%zz=1", "a=%",
		"page=2;page_size=3", "page=2&page_size=3&sort=created_at&q=mug",
	} {
		f.Add(s)
	}
	products, users, orders := &productLister{}, &userLister{}, &orderLister{}
	r := gin.New()
	r.Use(middleware.Errors(slog.New(slog.NewTextHandler(io.Discard, nil))))
	r.GET("/products", Products{Service: products}.List)
	r.GET("/users", Users{Service: users}.List)
	r.GET("/orders", Orders{Service: orders}.List)

	f.Fuzz(func(t *testing.T, rawQuery string) {
		for _, list := range []string{"products", "users", "orders"} {
			products.got, users.got, orders.got = nil, nil, nil
			req := httptest.NewRequest(http.MethodGet, "/"+list, nil)
			req.URL.RawQuery = rawQuery
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			vals := req.URL.Query()
			want := validQuery(listContract[list], vals)

			var opts listing.Options
			switch list {
			case "products":
				if products.got != nil {
					opts = products.got.List
					p := products.got.Filter
					if p.Q != strings.TrimSpace(p.Q) || apperr.Len(p.Q) > MaxQueryLength ||
						p.MinPriceCents != nil && *p.MinPriceCents < 0 || p.MaxPriceCents != nil && *p.MaxPriceCents < 0 {
						t.Fatalf("products?%s: filter %+v breaks the contract", rawQuery, p)
					}
				}
			case "users":
				if users.got != nil {
					opts = users.got.List
					if u := users.got.Filter; u.Q != strings.TrimSpace(u.Q) || apperr.Len(u.Q) > MaxQueryLength ||
						u.Role != "" && u.Role != models.RoleAdmin && u.Role != models.RoleCustomer {
						t.Fatalf("users?%s: filter %+v breaks the contract", rawQuery, u)
					}
				}
			case "orders":
				if orders.got != nil {
					opts = orders.got.List
				}
			}
			called := products.got != nil || users.got != nil || orders.got != nil

			switch {
			case want && (w.Code != http.StatusOK || !called):
				t.Fatalf("%s?%s: the contract accepts it, the handler answered %d %s", list, rawQuery, w.Code, w.Body)
			case !want && (w.Code != http.StatusBadRequest || called):
				t.Fatalf("%s?%s: the contract refuses it, the handler answered %d %s", list, rawQuery, w.Code, w.Body)
			case !want:
				var env apperr.ErrorResponse
				if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Error.Code != apperr.CodeBadRequest || len(env.Error.Details) == 0 {
					t.Fatalf("%s?%s: 400 without the bad_request envelope and details: %s", list, rawQuery, w.Body)
				}
				continue
			}
			wantPage, wantSize := 1, DefaultPageSize
			if _, ok := vals["page"]; ok {
				wantPage, _ = strconv.Atoi(vals.Get("page"))
			}
			if _, ok := vals["page_size"]; ok {
				wantSize, _ = strconv.Atoi(vals.Get("page_size"))
			}
			if opts.Page != wantPage || opts.PageSize != wantSize {
				t.Fatalf("%s?%s: page %d page_size %d, want %d and %d", list, rawQuery, opts.Page, opts.PageSize, wantPage, wantSize)
			}
			for _, s := range opts.Sort {
				if !slices.Contains(listContract[list].sortable, s.Field) {
					t.Fatalf("%s?%s: sorts by %q", list, rawQuery, s.Field)
				}
			}
		}
	})
}
