// Package routes builds tienda's HTTP router: every path, its middleware and its controller.
// It wires handlers to paths and must not hold business rules or SQL.
//
//	@title						tienda API
//	@version					1.0
//	@description				Back office of a shop: users, products and orders. Money is in integer cents; times are RFC 3339 UTC.
//	@description				Log in with POST /auth/login, then Authorize with "Bearer <access_token>".
//	@BasePath					/api/v1
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer " followed by the access_token from /auth/login.
package routes

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	"tienda/apperr"
	"tienda/controllers"
	"tienda/middleware"

	"tienda/docs"
)

// BasePath prefixes every API route of the contract.
const BasePath = "/api/v1"

// Deps are what the router needs from the rest of the application.
type Deps struct {
	Log      *slog.Logger
	Auth     middleware.Auth
	Products controllers.Products
}

// New returns the router with every route registered.
func New(d Deps) *gin.Engine {
	auth := d.Auth
	if auth == nil {
		auth = middleware.DenyAll{}
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(middleware.RequestID(), middleware.Recover(d.Log), middleware.Errors(d.Log))
	r.NoRoute(func(c *gin.Context) {
		middleware.WriteError(c, d.Log, apperr.New(apperr.CodeNotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		middleware.WriteError(c, d.Log, apperr.New(apperr.CodeMethodNotAllowed, "method %s is not allowed here", c.Request.Method))
	})

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/swagger/*any", swaggerUI())

	api := r.Group(BasePath, auth.Identify())
	admin := api.Group("", auth.RequireAdmin())

	api.GET("/products", d.Products.List)
	api.GET("/products/:id", d.Products.Get)
	admin.POST("/products", d.Products.Create)
	admin.PUT("/products/:id", d.Products.Replace)
	admin.PATCH("/products/:id", d.Products.Patch)
	admin.DELETE("/products/:id", d.Products.Delete)
	return r
}

// swaggerUI serves Swagger UI from gin-swagger and the spec from the docs package, so that no
// generated code registers itself in a global at init time.
func swaggerUI() gin.HandlerFunc {
	ui := ginSwagger.WrapHandler(swaggerFiles.Handler, ginSwagger.PersistAuthorization(true))
	spec := docs.SwaggerJSON()
	return func(c *gin.Context) {
		switch c.Param("any") {
		case "/doc.json":
			c.Data(http.StatusOK, "application/json; charset=utf-8", spec)
		case "/", "":
			c.Redirect(http.StatusMovedPermanently, "/swagger/index.html")
		default:
			ui(c)
		}
	}
}
