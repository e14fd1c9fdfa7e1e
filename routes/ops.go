package routes

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"tienda/middleware"
)

// Operations routes, outside BasePath and unauthenticated. Their successful requests are logged
// at debug level only.
const (
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
	MetricsPath = "/metrics"
)

// SwaggerContentSecurityPolicy lets Swagger UI (gin-swagger's page loads its scripts and styles
// from /swagger/, sets inline style attributes and uses data: images) work, and nothing else.
const SwaggerContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// Limits are the protections requests pass through; a zero field turns its limit off.
type Limits struct {
	// MaxBodyBytes caps every request body (413 above).
	MaxBodyBytes int64
	// RequestTimeout is the deadline on every request's context (503 after it).
	RequestTimeout time.Duration
	// CORSOrigins are the browser origins allowed to call the API; none turns CORS off.
	CORSOrigins []string
	// PerIP limits API requests per client IP, PerUser per logged-in user; nil = no limit.
	PerIP, PerUser middleware.Limiter
	// Registrations limits POST /auth/register per client IP, on top of PerIP; nil = no limit.
	Registrations middleware.Limiter
	// PasswordResets limits the password reset routes per client IP; nil = no limit.
	PasswordResets middleware.Limiter
}

// chain is the middleware every request passes through, outermost first: the request ID, the
// access log and metrics (which see the final status), security headers, CORS, panic recovery,
// the error mapper, then the limits that the mapper answers for.
func chain(d Deps) []gin.HandlerFunc {
	mw := []gin.HandlerFunc{
		middleware.RequestID(),
		middleware.Access(d.Log, d.Observer, HealthPath, ReadyPath, MetricsPath),
		middleware.SecurityHeaders(),
	}
	if cors := middleware.CORS(d.Limits.CORSOrigins); cors != nil {
		mw = append(mw, cors)
	}
	mw = append(mw, middleware.Recover(d.Log), middleware.Errors(d.Log))
	if d.Limits.MaxBodyBytes > 0 {
		mw = append(mw, middleware.BodyLimit(d.Limits.MaxBodyBytes))
	}
	if d.Limits.RequestTimeout > 0 {
		mw = append(mw, middleware.Timeout(d.Limits.RequestTimeout))
	}
	return mw
}

// operations registers /healthz, /readyz and, when the router serves it, /metrics.
func operations(r *gin.Engine, d Deps) {
	// HEAD answers as GET does, without the body: some load balancers probe with HEAD.
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Handle(m, HealthPath, d.Health.Live)
		r.Handle(m, ReadyPath, d.Health.Ready)
	}
	if d.Metrics != nil {
		r.GET(MetricsPath, gin.WrapH(d.Metrics))
	}
}

// apiLimits is the per-IP rate limit of every API route. Operations routes are not limited:
// load balancers and Prometheus call them from few addresses, often.
func apiLimits(d Deps) []gin.HandlerFunc {
	if d.Limits.PerIP == nil {
		return nil
	}
	return []gin.HandlerFunc{middleware.RateLimit(d.Limits.PerIP, middleware.ClientKey)}
}

// identified is auth's Identify followed by the per-user rate limit, which needs to know the
// user.
func identified(d Deps, auth middleware.Auth) []gin.HandlerFunc {
	mw := []gin.HandlerFunc{auth.Identify()}
	if d.Limits.PerUser != nil {
		mw = append(mw, middleware.RateLimit(d.Limits.PerUser, middleware.UserKey))
	}
	return mw
}

// withCSP serves h with the Content-Security-Policy csp instead of the API's.
func withCSP(csp string, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Content-Security-Policy", csp)
		h(c)
	}
}
