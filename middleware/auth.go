package middleware

import (
	"github.com/gin-gonic/gin"

	"tienda/apperr"
)

// Auth identifies callers and guards routes.
type Auth interface {
	// Identify records the caller when the request carries a valid token and lets anonymous
	// requests through; an invalid token is a 401.
	Identify() gin.HandlerFunc
	// RequireUser lets only logged-in callers through (401 otherwise).
	RequireUser() gin.HandlerFunc
	// RequireAdmin lets only admins through (401 without a token, 403 for other roles).
	RequireAdmin() gin.HandlerFunc
}

// DenyAll is the Auth used when no authenticator is configured: everyone is anonymous, and
// protected routes answer 401. It keeps admin routes closed rather than open.
type DenyAll struct{}

// Identify lets the request through as anonymous.
func (DenyAll) Identify() gin.HandlerFunc { return func(c *gin.Context) { c.Next() } }

// RequireUser refuses every request.
func (DenyAll) RequireUser() gin.HandlerFunc { return deny }

// RequireAdmin refuses every request.
func (DenyAll) RequireAdmin() gin.HandlerFunc { return deny }

func deny(c *gin.Context) {
	Abort(c, apperr.Unauthorized("authentication is required"))
}
