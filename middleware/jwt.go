package middleware

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	jwtmw "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v4"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Sessions checks, on every authenticated request, that the token's user may still act.
type Sessions interface {
	Session(ctx context.Context, userID uint, tokenVersion int64) (services.Actor, error)
}

// JWTConfig configures token signing.
type JWTConfig struct {
	Secret     []byte
	TTL        time.Duration
	MaxRefresh time.Duration
	Now        func() time.Time
}

// Token is an issued access token.
type Token struct {
	Value     string
	ExpiresAt time.Time
	// Lifetime is how long the token is valid from now.
	Lifetime time.Duration
}

// Claims carried by tokens besides exp and orig_iat (gin-jwt's time of the original login).
const (
	claimSubject = "sub" // the user ID, as a string
	claimVersion = "ver" // the user's token_version at login
	claimRole    = "role"
	claimOrigIat = "orig_iat"
)

// authErrKey holds, in the gin context, why a token was refused.
const authErrKey = "tienda.auth_error"

// JWT authenticates bearer tokens with gin-jwt: HS256 only, the user checked on every request.
type JWT struct {
	mw       *jwtmw.GinJWTMiddleware
	sessions Sessions
	cfg      JWTConfig
}

// NewJWT builds the authenticator.
func NewJWT(cfg JWTConfig, sessions Sessions) (*JWT, error) {
	j := &JWT{sessions: sessions, cfg: cfg}
	mw, err := jwtmw.New(&jwtmw.GinJWTMiddleware{
		Realm:            "tienda",
		SigningAlgorithm: "HS256",
		Key:              cfg.Secret,
		Timeout:          cfg.TTL,
		MaxRefresh:       cfg.MaxRefresh,
		TimeFunc:         cfg.Now,
		TokenLookup:      "header:Authorization",
		TokenHeadName:    "Bearer",
		IdentityKey:      claimSubject,
		// Pinning the method here as well as in gin-jwt's key function keeps a token signed
		// with another algorithm out even if a KeyFunc is ever set.
		ParseOptions: []jwt.ParserOption{jwt.WithValidMethods([]string{"HS256"})},
		PayloadFunc: func(data any) jwtmw.MapClaims {
			u, _ := data.(models.User)
			return jwtmw.MapClaims{
				claimSubject: strconv.FormatUint(uint64(u.ID), 10),
				claimVersion: u.TokenVersion,
				claimRole:    string(u.Role),
			}
		},
		IdentityHandler: func(c *gin.Context) any {
			id, ver, ok := identity(jwtmw.ExtractClaims(c))
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

// Issue signs a token for a user who just logged in.
func (j *JWT) Issue(u models.User) (Token, error) {
	value, exp, err := j.mw.TokenGenerator(u)
	if err != nil {
		return Token{}, err
	}
	expires := time.Unix(exp.Unix(), 0).UTC()
	return Token{Value: value, ExpiresAt: expires, Lifetime: expires.Sub(j.mw.TimeFunc())}, nil
}

// Refresh exchanges a valid or expired token for a new one, as long as the session started (by
// a login) less than max_refresh ago, and the user may still act. Unlike gin-jwt's own refresh,
// it keeps the original login time, and the new token never outlives the session.
func (j *JWT) Refresh(ctx context.Context, authorization string) (Token, error) {
	raw, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || raw == "" {
		return Token{}, apperr.Unauthorized("a bearer token is required")
	}
	token, err := j.mw.ParseTokenString(raw)
	if err != nil && !onlyExpired(err) {
		return Token{}, apperr.Unauthorized("invalid token")
	}
	claims, _ := token.Claims.(jwt.MapClaims)
	id, ver, ok := identity(jwtmw.MapClaims(claims))
	origIat, hasIat := number(claims[claimOrigIat])
	// jwt.Parse takes a missing exp for "never expires" and a malformed one for "expired",
	// which onlyExpired lets through; every token this service issues has a numeric exp.
	_, hasExp := number(claims["exp"])
	if !ok || !hasIat || !hasExp {
		return Token{}, apperr.Unauthorized("the token lacks required claims")
	}
	now := j.cfg.Now()
	// A login time in the future would stretch the session past max_refresh; only a holder of
	// the key can sign one, but it costs nothing to refuse (beyond a clock skew between
	// processes).
	if time.Unix(origIat, 0).After(now.Add(maxClockSkew)) {
		return Token{}, apperr.Unauthorized("the token's login time is in the future")
	}
	sessionEnd := time.Unix(origIat, 0).Add(j.cfg.MaxRefresh)
	if !now.Before(sessionEnd) {
		return Token{}, apperr.Unauthorized("the session has expired; log in again")
	}
	actor, err := j.sessions.Session(ctx, id, ver)
	if err != nil {
		return Token{}, err
	}
	exp := now.Add(j.cfg.TTL)
	if exp.After(sessionEnd) {
		exp = sessionEnd
	}
	value, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		claimSubject: strconv.FormatUint(uint64(id), 10),
		claimVersion: ver,
		claimRole:    string(actor.Role),
		claimOrigIat: origIat,
		"exp":        exp.Unix(),
	}).SignedString(j.cfg.Secret)
	if err != nil {
		return Token{}, err
	}
	expires := time.Unix(exp.Unix(), 0).UTC()
	return Token{Value: value, ExpiresAt: expires, Lifetime: expires.Sub(j.mw.TimeFunc())}, nil
}

// maxClockSkew is how far ahead of this process's clock another process may have issued a token.
const maxClockSkew = time.Minute

// onlyExpired reports whether the token's single fault is its expiry.
func onlyExpired(err error) bool {
	var verr *jwt.ValidationError
	return errors.As(err, &verr) && verr.Errors == jwt.ValidationErrorExpired
}

// identity reads the user ID and token version from claims.
func identity(claims jwtmw.MapClaims) (uint, int64, bool) {
	sub, _ := claims[claimSubject].(string)
	id, err := strconv.ParseUint(sub, 10, 63)
	if err != nil || id == 0 {
		return 0, 0, false
	}
	ver, ok := number(claims[claimVersion])
	if !ok {
		return 0, 0, false
	}
	return uint(id), ver, true
}

// number reads a JSON number claim as an integer.
func number(v any) (int64, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}
