// Package auth issues and refreshes tienda's access tokens: HS256 JWTs carrying the user ID,
// the user's token version and role, the time of the original login (orig_iat) and an expiry.
// Checking a token on a request is the middleware's job (gin-jwt, with the claim names and
// identity reading of this package); a token's user is looked up again on every use through
// Sessions, so a token outlives neither a password change nor a role change.
package auth

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Sessions checks that the token's user may still act.
type Sessions interface {
	Session(ctx context.Context, userID uint, tokenVersion int64) (services.Actor, error)
}

// Config configures token signing.
type Config struct {
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

// Claims carried by tokens besides exp.
const (
	ClaimSubject = "sub"      // the user ID, as a string
	ClaimVersion = "ver"      // the user's token_version at login
	ClaimRole    = "role"     // the user's role at issue
	ClaimOrigIat = "orig_iat" // the time of the original login (gin-jwt's name)
)

// Algorithm is the only signing method tokens may use.
const Algorithm = "HS256"

// maxClockSkew is how far ahead of this process's clock another process may have issued a token.
const maxClockSkew = time.Minute

// Tokens issues and refreshes tokens.
type Tokens struct {
	cfg      Config
	sessions Sessions
}

// New returns the token issuer.
func New(cfg Config, sessions Sessions) *Tokens {
	return &Tokens{cfg: cfg, sessions: sessions}
}

// Issue signs a token for a user who just logged in.
func (t *Tokens) Issue(u models.User) (Token, error) {
	now := t.cfg.Now()
	return t.sign(u.ID, u.TokenVersion, u.Role, now.Unix(), now.Add(t.cfg.TTL))
}

// Refresh exchanges a valid or expired token for a new one, as long as the session started (by
// a login) less than max_refresh ago, and the user may still act. It keeps the original login
// time, and the new token never outlives the session.
func (t *Tokens) Refresh(ctx context.Context, authorization string) (Token, error) {
	raw, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || raw == "" {
		return Token{}, apperr.Unauthorized("a bearer token is required")
	}
	token, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return t.cfg.Secret, nil },
		jwt.WithValidMethods([]string{Algorithm}))
	if err != nil && !onlyExpired(err) {
		return Token{}, apperr.Unauthorized("invalid token")
	}
	claims, _ := token.Claims.(jwt.MapClaims)
	id, ver, ok := Identity(claims)
	origIat, hasIat := number(claims[ClaimOrigIat])
	// jwt.Parse takes a missing exp for "never expires" and a malformed one for "expired",
	// which onlyExpired lets through; every token this service issues has a numeric exp.
	_, hasExp := number(claims["exp"])
	if !ok || !hasIat || !hasExp {
		return Token{}, apperr.Unauthorized("the token lacks required claims")
	}
	now := t.cfg.Now()
	// A login time in the future would stretch the session past max_refresh; only a holder of
	// the key can sign one, but it costs nothing to refuse (beyond a clock skew between
	// processes).
	if time.Unix(origIat, 0).After(now.Add(maxClockSkew)) {
		return Token{}, apperr.Unauthorized("the token's login time is in the future")
	}
	sessionEnd := time.Unix(origIat, 0).Add(t.cfg.MaxRefresh)
	if !now.Before(sessionEnd) {
		return Token{}, apperr.Unauthorized("the session has expired; log in again")
	}
	actor, err := t.sessions.Session(ctx, id, ver)
	if err != nil {
		return Token{}, err
	}
	exp := now.Add(t.cfg.TTL)
	if exp.After(sessionEnd) {
		exp = sessionEnd
	}
	return t.sign(id, ver, actor.Role, origIat, exp)
}

func (t *Tokens) sign(id uint, ver int64, role models.Role, origIat int64, exp time.Time) (Token, error) {
	value, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		ClaimSubject: strconv.FormatUint(uint64(id), 10),
		ClaimVersion: ver,
		ClaimRole:    string(role),
		ClaimOrigIat: origIat,
		"exp":        exp.Unix(),
	}).SignedString(t.cfg.Secret)
	if err != nil {
		return Token{}, err
	}
	expires := time.Unix(exp.Unix(), 0).UTC()
	return Token{Value: value, ExpiresAt: expires, Lifetime: expires.Sub(t.cfg.Now())}, nil
}

// onlyExpired reports whether the token's single fault is its expiry.
func onlyExpired(err error) bool {
	var verr *jwt.ValidationError
	return errors.As(err, &verr) && verr.Errors == jwt.ValidationErrorExpired
}

// Identity reads the user ID and token version from a token's claims.
func Identity(claims map[string]any) (uint, int64, bool) {
	sub, _ := claims[ClaimSubject].(string)
	id, err := strconv.ParseUint(sub, 10, 63)
	if err != nil || id == 0 {
		return 0, 0, false
	}
	ver, ok := number(claims[ClaimVersion])
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
