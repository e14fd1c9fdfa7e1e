// Package routes builds tienda's HTTP router: every path, its middleware and its controller.
// It wires handlers to paths and must not hold business rules or SQL.
//
//	@title						tienda API
//	@version					1.0
//	@description				Back office of a shop: users, products and orders. Money is in integer cents; times are RFC 3339 UTC.
//	@description				Log in with POST /auth/login or POST /auth/token (OAuth2 password grant), then send "Authorization: Bearer <access_token>". Every list answers {items, total, page, page_size}; every error {"error": {"code", "message", "details"?}}. Every API answer carries X-Request-ID; limits answer 413, 429 (with Retry-After) and 503.
//	@BasePath					/api/v1
//	@tag.name					auth
//	@tag.description			Accounts and tokens: register, log in (JSON or the OAuth2 password grant), refresh.
//	@tag.name					users
//	@tag.description			The logged-in user, and user management for admins.
//	@tag.name					products
//	@tag.description			The catalogue: anyone browses active products; admins manage them. Prices are integer cents.
//	@tag.name					orders
//	@tag.description			Orders: customers place, list, view and cancel their own; admins see all and move them along pending → paid → shipped → delivered.
//	@tag.name					tasks
//	@tag.description			Background work: start a sales report and follow its task.
//	@tag.name					audit
//	@tag.description			The audit log: who changed what, for admins.
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by the access_token from /auth/login.
package routes

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	"tienda/apperr"
	"tienda/console"
	"tienda/controllers"
	"tienda/metrics"
	"tienda/middleware"

	"tienda/docs"
)

// BasePath prefixes every API route of the contract.
const BasePath = "/api/v1"

// ReportPath is the path of the CSV download of the report that task id built.
func ReportPath(id string) string { return BasePath + "/reports/" + url.PathEscape(id) + ".csv" }

// Access says who may call a route.
type Access int

// Access levels, from open to closed.
const (
	Public   Access = iota // no token looked at (operations, login, register, refresh)
	Optional               // a token, when sent, must be valid and identifies the caller
	User                   // a valid token is required
	Admin                  // a valid token of an admin is required
)

// Route is one API endpoint and who may call it.
type Route struct {
	Method  string
	Path    string // under BasePath, in Gin's syntax
	Access  Access
	Handler gin.HandlerFunc
}

// Deps are what the router needs from the rest of the application.
type Deps struct {
	Log  *slog.Logger
	Auth middleware.Auth
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []string
	Accounts       controllers.Auth
	Users          controllers.Users
	Products       controllers.Products
	Orders         controllers.Orders
	Tasks          controllers.Tasks
	Audit          controllers.Audit
	// Health answers /healthz and /readyz.
	Health controllers.Health
	// Metrics serves /metrics; nil when metrics are served on their own listener.
	Metrics http.Handler
	// Observer records every request (metrics); nil records nothing.
	Observer middleware.Observer
	Limits   Limits
	// Console is the back-office console served under /admin; nil serves none.
	Console http.Handler
}

// API lists every route of the contract with its access level. New registers exactly these.
func API(d Deps) []Route {
	return []Route{
		{http.MethodPost, "/auth/register", Public, d.Accounts.Register},
		{http.MethodPost, "/auth/login", Public, d.Accounts.Login},
		{http.MethodPost, "/auth/refresh", Public, d.Accounts.Refresh},
		{http.MethodPost, "/auth/token", Public, d.Accounts.Token},
		{http.MethodPost, "/auth/password-reset", Public, d.Accounts.RequestPasswordReset},
		{http.MethodPost, "/auth/password-reset/confirm", Public, d.Accounts.ConfirmPasswordReset},
		{http.MethodGet, "/users/me", User, d.Accounts.Me},
		{http.MethodPatch, "/users/me", User, d.Accounts.UpdateMe},
		{http.MethodPost, "/users/me/password", User, d.Accounts.ChangePassword},

		{http.MethodGet, "/users", Admin, d.Users.List},
		{http.MethodGet, "/users/:id", Admin, d.Users.Get},
		{http.MethodPatch, "/users/:id", Admin, d.Users.Patch},
		{http.MethodDelete, "/users/:id", Admin, d.Users.Delete},

		{http.MethodGet, "/products", Optional, d.Products.List},
		{http.MethodGet, "/products/:id", Optional, d.Products.Get},
		{http.MethodPost, "/products", Admin, d.Products.Create},
		{http.MethodPut, "/products/:id", Admin, d.Products.Replace},
		{http.MethodPatch, "/products/:id", Admin, d.Products.Patch},
		{http.MethodDelete, "/products/:id", Admin, d.Products.Delete},

		{http.MethodPost, "/orders", User, d.Orders.Create},
		{http.MethodGet, "/orders", User, d.Orders.List},
		{http.MethodGet, "/orders/:id", User, d.Orders.Get},
		{http.MethodPost, "/orders/:id/cancel", User, d.Orders.Cancel},
		{http.MethodPatch, "/orders/:id/status", Admin, d.Orders.SetStatus},

		{http.MethodPost, "/reports/sales", Admin, d.Tasks.SalesReport},
		{http.MethodGet, "/reports/:task_id.csv", Admin, d.Tasks.Download},
		{http.MethodGet, "/tasks/:task_id", Admin, d.Tasks.Get},

		{http.MethodGet, "/audit", Admin, d.Audit.List},
	}
}

// New returns the router with the operations routes, Swagger UI and every API route.
func New(d Deps) (*gin.Engine, error) {
	auth := d.Auth
	if auth == nil {
		auth = middleware.DenyAll{}
	}
	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(chain(d)...)
	// Unmatched requests (404, 405) pass through the per-IP limit like the API's: a scanner
	// gets 429s, not an unlimited supply of cheap answers.
	r.NoRoute(append(apiLimits(d), func(c *gin.Context) { noRoute(c, d.Log) })...)
	r.NoMethod(append(apiLimits(d), func(c *gin.Context) {
		middleware.WriteError(c, d.Log, apperr.New(apperr.CodeMethodNotAllowed, "method %s is not allowed here", metrics.Method(c.Request.Method)))
	})...)

	operations(r, d)
	r.GET("/swagger/*any", withCSP(SwaggerContentSecurityPolicy, swaggerUI(d.Log)))
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, SwaggerUIPath) })
	if d.Console != nil {
		r.Any(console.Prefix+"/*path", consoleHandler(d.Console))
	}

	identify := identified(d, auth)
	guards := map[Access][]gin.HandlerFunc{
		Public:   nil,
		Optional: identify,
		User:     append(slices.Clone(identify), auth.RequireUser()),
		Admin:    append(slices.Clone(identify), auth.RequireAdmin()),
	}
	// Route-specific limits, before the route's guard.
	extra := map[string][]gin.HandlerFunc{}
	if d.Limits.Registrations != nil {
		extra[http.MethodPost+" /auth/register"] = []gin.HandlerFunc{middleware.RateLimit(d.Limits.Registrations, middleware.ClientKey)}
	}
	if d.Limits.PasswordResets != nil {
		resets := []gin.HandlerFunc{middleware.RateLimit(d.Limits.PasswordResets, middleware.ClientKey)}
		extra[http.MethodPost+" /auth/password-reset"] = resets
		extra[http.MethodPost+" /auth/password-reset/confirm"] = resets
	}
	api := r.Group(BasePath, apiLimits(d)...)
	for _, rt := range API(d) {
		h := append(slices.Clone(extra[rt.Method+" "+rt.Path]), guards[rt.Access]...)
		api.Handle(rt.Method, rt.Path, append(h, rt.Handler)...)
	}
	return r, nil
}

// Swagger UI's page (/ redirects to it) and the OpenAPI 3 description it loads; the Swagger 2.0
// spec stays at /swagger/doc.json.
const (
	SwaggerUIPath = "/swagger/index.html"
	OpenAPIPath   = "/swagger/openapi.json"
)

// swaggerAssets are the files of Swagger UI under /swagger/ that gin-swagger serves.
var swaggerAssets = map[string]bool{
	"/index.html": true, "/index.css": true, "/swagger-initializer.js": true,
	"/favicon-16x16.png": true, "/favicon-32x32.png": true, "/oauth2-redirect.html": true,
	"/swagger-ui.css": true, "/swagger-ui.js": true, "/swagger-ui-bundle.js": true,
	"/swagger-ui-standalone-preset.js": true,
}

// swaggerUI serves Swagger UI from gin-swagger and the spec from the docs package, so that no
// generated code registers itself in a global at init time. Anything but the spec and the known
// files of the page is the contract's 404: gin-swagger matches "doc.json" anywhere in the request
// URI (a query string included) and answers 500 for its own, unregistered, doc.
func swaggerUI(log *slog.Logger) gin.HandlerFunc {
	ui := ginSwagger.WrapHandler(swaggerFiles.Handler, ginSwagger.URL(OpenAPIPath),
		ginSwagger.PersistAuthorization(true), ginSwagger.DefaultModelsExpandDepth(1))
	specs := map[string][]byte{"/doc.json": docs.SwaggerJSON(), "/openapi.json": docs.OpenAPIJSON()}
	return func(c *gin.Context) {
		name := c.Param("any")
		switch spec, isSpec := specs[name]; {
		case isSpec:
			c.Data(http.StatusOK, "application/json; charset=utf-8", spec)
		case name == "/" || name == "":
			c.Redirect(http.StatusMovedPermanently, SwaggerUIPath)
		case swaggerAssets[name]:
			// gin-swagger reads RequestURI; the query string plays no part in which file it is.
			c.Request.RequestURI = c.Request.URL.EscapedPath()
			ui(c)
		default:
			noRoute(c, log)
		}
	}
}

// noRoute answers the contract's 404 for a path tienda does not serve.
func noRoute(c *gin.Context, log *slog.Logger) {
	middleware.WriteError(c, log, apperr.New(apperr.CodeNotFound, "no route for %s %s", metrics.Method(c.Request.Method), middleware.LoggedPath(c)))
}

// consoleHandler serves the console with the client address Gin determined (trusted proxies
// applied), which its sign-in throttle counts.
func consoleHandler(h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(console.WithClientIP(c.Request.Context(), c.ClientIP()))
		h.ServeHTTP(c.Writer, c.Request)
	}
}
