package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"tienda/apptest"
	"tienda/routes"
)

// TestAccessMatrix sends every API route of the route table as nobody, as a customer and as an
// admin, with its path parameters naming rows that exist, and checks who gets through.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	table := routes.API(routes.Deps{})

	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		customer := e.Customer()

		// Every registered API route is in the table, and only those.
		inTable := map[string]bool{}
		for _, r := range table {
			inTable[r.Method+" "+routes.BasePath+r.Path] = true
		}
		var registered []string
		for _, r := range e.App.Handler.(*gin.Engine).Routes() {
			if strings.HasPrefix(r.Path, routes.BasePath+"/") {
				registered = append(registered, r.Method+" "+r.Path)
			}
		}
		for _, k := range registered {
			if !inTable[k] {
				t.Errorf("route %s is registered but not in routes.API, so no access level guards it", k)
			}
		}
		if len(registered) != len(table) {
			t.Errorf("%d API routes registered, routes.API lists %d", len(registered), len(table))
		}

		for _, rt := range table {
			name := rt.Method + " " + rt.Path
			t.Run(name, func(t *testing.T) {
				// Fresh rows for each route, so that a DELETE by the admin cannot hide what the
				// next route would do.
				target := e.Customer()
				prod := createProduct(t, e, admin.Token, productBody(newSKU("AUTHZ"), "Authz", 100, 1))
				path := rt.Path
				switch {
				case strings.HasPrefix(path, "/users/:id"):
					path = strings.Replace(path, ":id", fmt.Sprint(target.ID), 1)
				case strings.HasPrefix(path, "/products/:id"):
					path = strings.Replace(path, ":id", fmt.Sprint(prod.ID), 1)
				case strings.HasPrefix(path, "/orders/:id"):
					var o struct {
						ID uint `json:"id"`
					}
					apptest.Expect(t, e.Post("/orders", target.Token, map[string]any{"items": []map[string]any{{"product_id": prod.ID, "quantity": 1}}}),
						http.StatusCreated, "order to address").Decode(t, &o)
					path = strings.Replace(path, ":id", fmt.Sprint(o.ID), 1)
				case strings.HasPrefix(path, "/tasks/:task_id"), strings.HasPrefix(path, "/reports/:task_id"):
					var task struct {
						TaskID string `json:"task_id"`
					}
					apptest.Expect(t, e.Post("/reports/sales", admin.Token, map[string]string{"from": "2026-01-01", "to": "2026-01-31"}),
						http.StatusAccepted, "task to address").Decode(t, &task)
					path = strings.Replace(path, ":task_id", task.TaskID, 1)
				}
				if strings.Contains(path, ":") {
					t.Fatalf("no row to fill the parameters of %s", rt.Path)
				}
				send := func(token string) apptest.Response {
					var body any
					if rt.Method != http.MethodGet && rt.Method != http.MethodDelete {
						body = "{}"
					}
					return e.Do(apptest.Request{Method: rt.Method, Path: path, Token: token, Body: body})
				}

				anon := send("")
				switch {
				case rt.Access == routes.User || rt.Access == routes.Admin || tokenCheckedByHandler[rt.Method+" "+rt.Path]:
					expectError(t, anon, http.StatusUnauthorized, "unauthorized", "no token")
				default:
					if anon.Code == http.StatusUnauthorized || anon.Code == http.StatusForbidden || anon.Code >= 500 {
						t.Errorf("no token on a %s route: got %s, want neither 401, 403 nor 5xx", accessName(rt.Access), anon)
					}
				}

				cust := send(customer.Token)
				if rt.Access == routes.Admin {
					expectError(t, cust, http.StatusForbidden, "forbidden", "customer token")
				} else if cust.Code == http.StatusUnauthorized || cust.Code == http.StatusForbidden || cust.Code >= 500 {
					t.Errorf("customer token on a %s route: got %s, want neither 401, 403 nor 5xx", accessName(rt.Access), cust)
				}

				if r := send(admin.Token); r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden || r.Code >= 500 {
					t.Errorf("admin token: got %s, want neither 401, 403 nor 5xx", r)
				}
			})
		}

		// The role claim is not trusted: the role comes from the database on every request.
		forged := apptest.Claims(e, customer.ID, 0, "admin", 15*time.Minute)
		expectError(t, e.Get("/users", apptest.SignHS256(t, forged)), http.StatusForbidden, "forbidden", "customer token claiming role admin")
		// The route table's guards run before the handler reads the body: an unauthorized
		// request learns nothing about its body's validity.
		expectError(t, e.Post("/products", "", "{not json"), http.StatusUnauthorized, "unauthorized", "anonymous POST with a malformed body")
		expectError(t, e.Post("/products", customer.Token, "{not json"), http.StatusForbidden, "forbidden", "customer POST with a malformed body")
	})
}

func accessName(a routes.Access) string {
	names := []string{"Public", "Optional", "User", "Admin"}
	if int(a) < len(names) {
		return names[a]
	}
	return fmt.Sprint(int(a))
}

// contractAccess is the "who" column of the contract (shared/spec/api.md) for every route:
// the matrix above checks that the router enforces the route table, this checks that the
// table says what the contract says.
var contractAccess = map[string]routes.Access{
	"POST /auth/register":               routes.Public,
	"POST /auth/login":                  routes.Public,
	"POST /auth/refresh":                routes.Public, // bearer, checked by the handler (expired tokens are welcome)
	"POST /auth/token":                  routes.Public, // OAuth2 password grant, throttled like login
	"POST /auth/password-reset":         routes.Public,
	"POST /auth/password-reset/confirm": routes.Public,
	"GET /users/me":                     routes.User,
	"PATCH /users/me":                   routes.User,
	"POST /users/me/password":           routes.User,
	"GET /users":                        routes.Admin,
	"GET /users/:id":                    routes.Admin,
	"PATCH /users/:id":                  routes.Admin,
	"DELETE /users/:id":                 routes.Admin,
	"GET /products":                     routes.Optional,
	"GET /products/:id":                 routes.Optional,
	"POST /products":                    routes.Admin,
	"PUT /products/:id":                 routes.Admin,
	"PATCH /products/:id":               routes.Admin,
	"DELETE /products/:id":              routes.Admin,

	"POST /orders":              routes.User,
	"GET /orders":               routes.User,
	"GET /orders/:id":           routes.User, // owner or admin: others get 404, checked in orders_test
	"POST /orders/:id/cancel":   routes.User, // owner (pending) or admin (pending, paid)
	"PATCH /orders/:id/status":  routes.Admin,
	"POST /reports/sales":       routes.Admin,
	"GET /reports/:task_id.csv": routes.Admin,
	"GET /tasks/:task_id":       routes.Admin,
	"GET /audit":                routes.Admin,
}

func TestRouteTableMatchesContract(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range routes.API(routes.Deps{}) {
		k := r.Method + " " + r.Path
		seen[k] = true
		want, ok := contractAccess[k]
		switch {
		case !ok:
			t.Errorf("%s is in the route table but not in the contract's list here; add it with its access level", k)
		case r.Access != want:
			t.Errorf("%s has access %s in the route table, the contract says %s", k, accessName(r.Access), accessName(want))
		}
	}
	for k := range contractAccess {
		if !seen[k] {
			t.Errorf("the contract has %s, the route table does not", k)
		}
	}
}
