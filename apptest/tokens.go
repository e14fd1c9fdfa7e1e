package apptest

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// Test tokens: claims as package auth writes them.

// Claims returns the claims of a fresh token for id at version ver, issued now by the env's
// clock, expiring in ttl.
func Claims(e *Env, id uint, ver int64, role string, ttl time.Duration) jwt.MapClaims {
	now := e.Clock.Now()
	return jwt.MapClaims{
		"sub":      strconv.FormatUint(uint64(id), 10),
		"ver":      ver,
		"role":     role,
		"orig_iat": now.Unix(),
		"exp":      now.Add(ttl).Unix(),
	}
}

// Sign signs c with method and key.
func Sign(t testing.TB, method jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatalf("sign test token: %v", err)
	}
	return s
}

// SignHS256 signs c as the app does.
func SignHS256(t testing.TB, c jwt.MapClaims) string {
	t.Helper()
	return Sign(t, jwt.SigningMethodHS256, []byte(Secret), c)
}

// DecodeClaims verifies token with the test secret (ignoring expiry) and returns its claims.
func DecodeClaims(t testing.TB, token string) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	if _, err := parser.ParseWithClaims(token, c, func(*jwt.Token) (any, error) { return []byte(Secret), nil }); err != nil {
		t.Fatalf("decode token %q: %v", token, err)
	}
	return c
}

// ClaimInt reads a numeric claim.
func ClaimInt(t testing.TB, c jwt.MapClaims, name string) int64 {
	t.Helper()
	f, ok := c[name].(float64)
	if !ok {
		t.Fatalf("claim %q = %#v, want a number", name, c[name])
	}
	return int64(f)
}

// WithoutClaims returns a copy of c without the named claims.
func WithoutClaims(c jwt.MapClaims, names ...string) jwt.MapClaims {
	out := maps.Clone(c)
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// WithClaim returns a copy of c with name set to v.
func WithClaim(c jwt.MapClaims, name string, v any) jwt.MapClaims {
	out := maps.Clone(c)
	out[name] = v
	return out
}
