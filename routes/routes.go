// Package routes builds tienda's HTTP router: every path, its middleware and its controller.
// It wires handlers to paths and must not hold business rules or SQL.
package routes

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// BasePath prefixes every API route of the contract.
const BasePath = "/api/v1"

// Deps are what the router needs from the rest of the application.
type Deps struct{}

// New returns the router with every route registered.
func New(_ Deps) *gin.Engine {
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	return r
}
