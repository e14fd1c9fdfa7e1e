package middleware

import (
	"strings"

	jwtmw "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v4"

	"tienda/apperr"
	"tienda/auth"
)

// authErrKey holds, in the gin context, why a token was refused.
const authErrKey = "tienda.auth_error"

// JWT authenticates bearer tokens with gin-jwt: HS256 only, the user checked on every request.
// Tokens are issued and refreshed by package auth; this only checks them.
type JWT struct {
	mw       *jwtmw.GinJWTMiddleware
	sessions auth.Sessions
}

// NewJWT builds the authenticator.
func NewJWT(cfg auth.Config, sessions auth.Sessions) (*JWT, error) {
	j := &JWT{sessions: sessions}
	mw, err := jwtmw.New(&jwtmw.GinJWTMiddleware{
		Realm:            "tienda",
		SigningAlgorithm: auth.Algorithm,
		Key:              cfg.Secret,
		Timeout:          cfg.TTL,
		MaxRefresh:       cfg.MaxRefresh,
		TimeFunc:         cfg.Now,
		TokenLookup:      "header:Authorization",
		TokenHeadName:    "Bearer",
		IdentityKey:      auth.ClaimSubject,
		// Pinning the method here as well as in gin-jwt's key function keeps a token signed
		// with another algorithm out even if a KeyFunc is ever set.
		ParseOptions: []jwt.ParserOption{jwt.WithValidMethods([]string{auth.Algorithm})},
		IdentityHandler: func(c *gin.Context) any {
			id, ver, ok := auth.Identity(jwtmw.ExtractClaims(c))
			if !ok {
				return nil
			}
			return session{id, ver}
		},
		Authorizator: j.authorize,
		Unauthorized: j.unauthorized,
	})
	if err != nil {
		return nil, err
	}
	j.mw = mw
	return j, nil
}

type session struct {
	userID  uint
	version int64
}

// authorize looks the token's user up and records the actor; any refusal is a 401.
func (j *JWT) authorize(data any, c *gin.Context) bool {
	s, ok := data.(session)
	if !ok {
		c.Set(authErrKey, apperr.Unauthorized("the token lacks required claims"))
		return false
	}
	actor, err := j.sessions.Session(c.Request.Context(), s.userID, s.version)
	if err != nil {
		c.Set(authErrKey, err)
		return false
	}
	SetActor(c, actor)
	return true
}

// unauthorized answers every refusal of gin-jwt in the contract's envelope: always 401, whatever
// status gin-jwt chose (it says 400 for a token without exp, 403 for a failed Authorizator).
func (j *JWT) unauthorized(c *gin.Context, _ int, message string) {
	c.Header("WWW-Authenticate", `Bearer realm="tienda"`)
	if v, ok := c.Get(authErrKey); ok {
		if err, ok := v.(error); ok {
			Abort(c, err)
			return
		}
	}
	msg := "invalid token"
	switch h := c.GetHeader("Authorization"); {
	case h != "" && !strings.HasPrefix(h, "Bearer "):
		msg = `the Authorization header must be "Bearer <access_token>"`
	case strings.Contains(message, "expired"):
		msg = "the token has expired"
	}
	Abort(c, apperr.Unauthorized("%s", msg))
}

// Identify implements Auth: a request without Authorization is anonymous; one with it must carry
// a valid token of a user who may still act.
func (j *JWT) Identify() gin.HandlerFunc {
	check := j.mw.MiddlewareFunc()
	return func(c *gin.Context) {
		if c.GetHeader("Authorization") == "" {
			c.Next()
			return
		}
		check(c)
	}
}

// RequireUser implements Auth.
func (j *JWT) RequireUser() gin.HandlerFunc {
	return func(c *gin.Context) {
		if j.authenticated(c) {
			c.Next()
		}
	}
}

// RequireAdmin implements Auth.
func (j *JWT) RequireAdmin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !j.authenticated(c) {
			return
		}
		if !ActorOf(c).IsAdmin() {
			Abort(c, apperr.Forbidden("this needs an admin"))
			return
		}
		c.Next()
	}
}

// authenticated answers 401 and reports false when nobody is logged in.
func (j *JWT) authenticated(c *gin.Context) bool {
	if ActorOf(c).Authenticated() {
		return true
	}
	c.Set(authErrKey, apperr.Unauthorized("authentication is required"))
	j.unauthorized(c, 0, "")
	return false
}
