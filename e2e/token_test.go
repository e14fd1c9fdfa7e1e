package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tienda/apptest"
	"tienda/apptest/dbtest"
)

// tokenForm posts form to POST /auth/token as an OAuth2 client does, from client address ip,
// with extra headers.
func tokenForm(e *apptest.Env, ip string, form url.Values, headers ...string) apptest.Response {
	e.T.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if ip != "" {
		h["X-Forwarded-For"] = ip
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return e.Do(apptest.Request{Method: http.MethodPost, Path: "/auth/token", Body: form.Encode(), Headers: h})
}

func passwordGrant(email, password string) url.Values {
	return url.Values{"grant_type": {"password"}, "username": {email}, "password": {password}}
}

// expectOAuthError checks an RFC 6749 §5.2 error answer: status, error code, a description and
// nothing else.
func expectOAuthError(t *testing.T, r apptest.Response, status int, code, what string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("%s: got %s, want %d %s", what, r, status, code)
	}
	var body map[string]string
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("%s: body %s is not an object of strings: %v", what, r.Body, err)
	}
	if body["error"] != code || body["error_description"] == "" || len(body) != 2 {
		t.Errorf("%s: body %s, want {error: %q, error_description}", what, r.Body, code)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, r.Header.Get("Cache-Control"))
	}
}

func TestOAuthPasswordGrant(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := newClient(t, e)
		u := register(t, c, "oauth@example.com", apptest.Password, "OAuth User")

		// As Swagger UI's Authorize dialog sends it: empty client credentials in a Basic header
		// and an empty scope.
		form := passwordGrant("OAuth@Example.com", apptest.Password)
		form.Set("scope", "")
		r := tokenForm(e, "", form, "Authorization", "Basic Og==")
		if r.Code != http.StatusOK {
			t.Fatalf("password grant: got %s, want 200", r)
		}
		expectKeys(t, r.Body, []string{"access_token", "expires_in", "token_type"}, "token answer")
		var tok struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		if err := json.Unmarshal(r.Body, &tok); err != nil {
			t.Fatal(err)
		}
		if tok.TokenType != "bearer" || tok.ExpiresIn != int64((15*time.Minute).Seconds()) {
			t.Errorf("token answer %s, want a bearer token for 900 seconds", r.Body)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q, want no-store (RFC 6749 §5.1)", r.Header.Get("Cache-Control"))
		}
		me := decode[user](t, c.get("/users/me", tok.AccessToken), http.StatusOK, "GET /users/me with the grant's token")
		if me.ID != u.ID {
			t.Errorf("the token is %+v's, want %+v's", me, u)
		}

		expectOAuthError(t, tokenForm(e, "", passwordGrant("oauth@example.com", "wrong password!")), http.StatusBadRequest, "invalid_grant", "wrong password")
		expectOAuthError(t, tokenForm(e, "", passwordGrant("nobody@example.com", apptest.Password)), http.StatusBadRequest, "invalid_grant", "unknown user")
		expectOAuthError(t, tokenForm(e, "", url.Values{"grant_type": {"client_credentials"}}), http.StatusBadRequest, "unsupported_grant_type", "another grant")
		expectOAuthError(t, tokenForm(e, "", url.Values{"username": {"oauth@example.com"}, "password": {apptest.Password}}), http.StatusBadRequest, "invalid_request", "no grant_type")
		expectOAuthError(t, tokenForm(e, "", url.Values{"grant_type": {"password"}, "username": {"oauth@example.com"}}), http.StatusBadRequest, "invalid_request", "no password")
		twice := passwordGrant("oauth@example.com", apptest.Password)
		twice.Add("username", "other@example.com")
		expectOAuthError(t, tokenForm(e, "", twice), http.StatusBadRequest, "invalid_request", "username twice")
		expectOAuthError(t, tokenForm(e, "", passwordGrant("oauth@example.com", apptest.Password), "Content-Type", "application/json"), http.StatusBadRequest, "invalid_request", "JSON content type")
	})
}

// TestOAuthPasswordGrantThrottle: /auth/token and /auth/login count failures together; the
// throttle's refusal is 429 with Retry-After and error temporarily_unavailable.
func TestOAuthPasswordGrantThrottle(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := newClient(t, e)
		register(t, c, "grant-victim@example.com", apptest.Password, "Victim")
		expectError(t, loginFrom(c, "198.51.100.7", "grant-victim@example.com", "wrong!"), http.StatusUnauthorized, "unauthorized", "failure 1 by login")
		expectOAuthError(t, tokenForm(e, "198.51.100.8", passwordGrant("grant-victim@example.com", "wrong!")), http.StatusBadRequest, "invalid_grant", "failure 2 by token")
		expectError(t, loginFrom(c, "198.51.100.9", "grant-victim@example.com", "wrong!"), http.StatusUnauthorized, "unauthorized", "failure 3 by login")

		r := tokenForm(e, "198.51.100.10", passwordGrant("grant-victim@example.com", apptest.Password))
		expectOAuthError(t, r, http.StatusTooManyRequests, "temporarily_unavailable", "4th attempt by token")
		if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs <= 0 || secs > 15*60 {
			t.Errorf("Retry-After %q, want 1..900 seconds", r.Header.Get("Retry-After"))
		}
		expectThrottled(t, loginFrom(c, "198.51.100.10", "grant-victim@example.com", apptest.Password), 15*time.Minute, "login after the grant's throttle")
	}, throttleConfig(15*time.Minute, true))
}

// TestCreatedAnswersNameTheResource: a 201 (and the 202 of a report) says in Location where the
// new resource is, and that path answers.
func TestCreatedAnswersNameTheResource(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, dbtest.Engines()[0])
	admin := e.Admin()
	c := newClient(t, e)
	check := func(r apptest.Response, status int, prefix, what string) string {
		t.Helper()
		apptest.Expect(t, r, status, what)
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, "/api/v1"+prefix+"/") {
			t.Fatalf("%s: Location %q, want %s/<id> under /api/v1", what, loc, prefix)
		}
		apptest.Expect(t, e.Get("/"+loc, admin.Token), http.StatusOK, "GET "+loc)
		return loc
	}
	check(c.post("/auth/register", "", map[string]string{"email": "loc@example.com", "password": apptest.Password, "full_name": "Loc"}), http.StatusCreated, "/users", "register")
	p := createProduct(t, e, admin.Token, productBody(newSKU("LOC"), "Located mug", 500, 5))
	check(e.Post("/products", admin.Token, productBody(newSKU("LOC"), "Another mug", 500, 5)), http.StatusCreated, "/products", "create product")
	cust := e.Customer()
	order := map[string]any{"items": []map[string]any{{"product_id": p.ID, "quantity": 1}}}
	first := check(e.Do(apptest.Request{Method: http.MethodPost, Path: "/orders", Token: cust.Token, Body: order,
		Headers: map[string]string{"Idempotency-Key": "loc-1"}}), http.StatusCreated, "/orders", "place order")
	replay := check(e.Do(apptest.Request{Method: http.MethodPost, Path: "/orders", Token: cust.Token, Body: order,
		Headers: map[string]string{"Idempotency-Key": "loc-1"}}), http.StatusOK, "/orders", "replayed order")
	if first != replay {
		t.Errorf("replay Location %q, want the first order's %q", replay, first)
	}
	check(e.Post("/reports/sales", admin.Token, map[string]string{"from": "2026-01-01", "to": "2026-01-31"}), http.StatusAccepted, "/tasks", "sales report")
}

// TestBareTokenGetsAHint: a token pasted without "Bearer " is refused with a message that says
// what the header must hold, not a bare "invalid token".
func TestBareTokenGetsAHint(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, dbtest.Engines()[0])
	c := newClient(t, e)
	admin := e.Admin()
	r := c.withAuth(http.MethodGet, "/users/me", admin.Token)
	expectError(t, r, http.StatusUnauthorized, "unauthorized", "a bare token")
	if !strings.Contains(string(r.Body), `Bearer \u003caccess_token\u003e`) && !strings.Contains(string(r.Body), "Bearer <access_token>") {
		t.Errorf("a bare token: body %s, want a hint that the header is \"Bearer <access_token>\"", r.Body)
	}
	apptest.Expect(t, c.withAuth(http.MethodGet, "/users/me", "Bearer "+admin.Token), http.StatusOK, "the same token with Bearer")
}
