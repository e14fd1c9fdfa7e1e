// Package console is tienda's back-office console at /admin: server-rendered HTML pages (Go
// templates and static files embedded in the binary), plain forms with post-redirect-get and a
// little hand-written JavaScript. It holds no business rules and runs no SQL: every page calls
// the same services as the API through the narrow interfaces below, which the app wires.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Prefix is where the console is served.
const Prefix = "/admin"

// ContentSecurityPolicy allows the console's own scripts, styles and images, and nothing
// inline: the pages have no inline script or style.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Accounts signs admins in and checks their sessions.
type Accounts interface {
	Login(ctx context.Context, email, password, ip string) (models.User, error)
	Session(ctx context.Context, userID uint, tokenVersion int64) (services.Actor, error)
}

// Dashboard reads the dashboard's figures.
type Dashboard interface {
	Summary(ctx context.Context) (services.DashboardSummary, error)
}

// Deps are the services the console calls.
type Deps struct {
	Accounts  Accounts
	Dashboard Dashboard
	Catalogue Catalogue
	Orders    OrderDesk
	People    People
	Audit     AuditLog
	Jobs      JobQueue
	Reports   ReportDesk
}

// Config configures the console.
type Config struct {
	// Secret is the key sessions are signed with; the app derives it from jwt.secret.
	Secret []byte
	// Secure marks the cookies Secure with the __Host- prefix (everywhere but development).
	Secure bool
	// SessionTTL is how long a sign-in lasts (the session ends earlier when the user's token
	// version changes).
	SessionTTL time.Duration
	Now        func() time.Time
	Log        *slog.Logger
}

// Console serves the back-office pages.
type Console struct {
	cfg      Config
	deps     Deps
	sessions sessions
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

type ctxKey int

const clientIPKey ctxKey = 0

// WithClientIP returns ctx carrying the client's address as the router determined it (behind
// trusted proxies, X-Forwarded-For), for the login throttle.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey, ip)
}

func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey).(string); ok {
		return ip
	}
	return r.RemoteAddr
}

func actorOf(r *http.Request) services.Actor { return services.ActorFrom(r.Context()) }

// New returns the console's handler. Every state-changing request passes Go's
// CrossOriginProtection (cross-site requests are refused by Sec-Fetch-Site or Origin).
func New(cfg Config, deps Deps) (http.Handler, error) {
	if len(cfg.Secret) == 0 {
		return nil, errors.New("console: no session secret")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{
		cfg: cfg, deps: deps, pages: pages, mux: http.NewServeMux(),
		sessions: newSessions(cfg.Secret, cfg.Secure, cfg.SessionTTL, cfg.Now),
	}
	c.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusForbidden, "error.html", "Refused", errorPage{
			Title:   "Request refused",
			Message: "This request came from another site and was refused. Go back to the console and try again.",
		})
	}))
	return cop.Handler(c), nil
}

// ServeHTTP sets the console's security headers and dispatches.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if !strings.HasPrefix(r.URL.Path, Prefix+"/static/") {
		h.Set("Cache-Control", "no-store")
	}
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	static, _ := fs.Sub(staticFiles, "static") // the directory is embedded: Sub cannot fail
	c.mux.Handle("GET "+Prefix+"/static/", http.StripPrefix(Prefix+"/static/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET "+Prefix+"/login", c.loginForm)
	c.mux.HandleFunc("POST "+Prefix+"/login", c.login)
	c.mux.HandleFunc("POST "+Prefix+"/logout", c.logout)
	c.mux.Handle("GET "+Prefix+"/{$}", c.admin(c.dashboard))
	c.productRoutes()
	c.orderRoutes()
	c.userRoutes()
	c.jobRoutes()
	c.reportRoutes()
	c.mux.Handle("GET "+Prefix+"/audit", c.admin(c.audit))
	c.mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusNotFound, "error.html", "Not found", errorPage{
			Title: "Page not found", Message: "There is no console page at this address.",
		})
	})
}

// admin runs h for a signed-in, active admin whose session is still current; anyone else is
// sent to the sign-in page (or told they are not allowed).
func (c *Console) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.sessions.read(r)
		if !ok {
			c.toLogin(w, r)
			return
		}
		actor, err := c.deps.Accounts.Session(r.Context(), s.UserID, s.TokenVersion)
		if err != nil {
			if _, isApp := apperr.As(err); !isApp {
				c.fail(w, r, err)
				return
			}
			c.sessions.clear(w)
			c.toLogin(w, r)
			return
		}
		if !actor.IsAdmin() {
			c.sessions.clear(w)
			c.notAllowed(w, r)
			return
		}
		h(w, r.WithContext(services.WithActor(r.Context(), actor)))
	})
}

func (c *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	target := Prefix + "/login"
	if r.Method == http.MethodGet && r.URL.Path != Prefix+"/" {
		target += "?next=" + template.URLQueryEscaper(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (c *Console) notAllowed(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusForbidden, "error.html", "Not allowed", errorPage{
		Title:   "Not allowed",
		Message: "The console is for administrators. Your account can use the shop and its API, but not this console.",
	})
}

// fail answers an error of a service: its message when it is one of the contract's errors
// meant for the user, a generic page (and a log line) otherwise.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := apperr.As(err); ok && e.HTTPStatus() < 500 {
		c.render(w, r, e.HTTPStatus(), "error.html", "Error", errorPage{Title: http.StatusText(e.HTTPStatus()), Message: e.Message})
		return
	}
	c.cfg.Log.ErrorContext(r.Context(), "console", "path", r.URL.Path, "error", err)
	c.render(w, r, http.StatusInternalServerError, "error.html", "Error", errorPage{
		Title: "Something went wrong", Message: "The page could not be shown. Try again in a moment.",
	})
}

// errorPage is the content of error.html.
type errorPage struct {
	Title   string
	Message string
}

// view is what every page template receives.
type view struct {
	Title string
	Nav   string
	Actor services.Actor
	Flash *flash
	Data  any
}

// render writes the page template name with data inside the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := c.pages[name]
	if !ok {
		panic(fmt.Sprintf("console: no template %q", name))
	}
	nav, _, _ := strings.Cut(strings.TrimSuffix(name, ".html"), "_")
	v := view{Title: title, Nav: nav, Actor: actorOf(r), Data: data}
	v.Flash = c.sessions.takeFlash(w, r)
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		c.cfg.Log.ErrorContext(r.Context(), "console template", "page", name, "error", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// redirect ends a successful form post (post-redirect-get) with a flash message.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, to string, f flash) {
	c.sessions.setFlash(w, f)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}
