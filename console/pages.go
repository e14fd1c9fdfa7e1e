package console

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// funcs are the helpers the templates use.
var funcs = template.FuncMap{
	"money": money,
	"datetime": func(t time.Time) string {
		return t.UTC().Format(time.RFC3339)
	},
	"utc":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"field": newField,
}

// fieldSource is a form page whose fields the "field" template draws.
type fieldSource interface {
	value(name string) string
	errorOf(name string) string
}

// inputField is one labelled input with its error.
type inputField struct {
	Name, Label, Type, Value, Error string
}

func newField(name, label, typ string, f fieldSource) inputField {
	return inputField{Name: name, Label: label, Type: typ, Value: f.value(name), Error: f.errorOf(name)}
}

// money formats cents as units with two decimals.
func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// loginPage is the content of login.html.
type loginPage struct {
	Email string
	Next  string
	Error string
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	if s, ok := c.sessions.read(r); ok {
		if a, err := c.deps.Accounts.Session(r.Context(), s.UserID, s.TokenVersion); err == nil && a.IsAdmin() {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	c.render(w, r, http.StatusOK, "login.html", "Sign in", loginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	u, err := c.deps.Accounts.Login(r.Context(), email, password, clientIP(r))
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			c.fail(w, r, err)
			return
		}
		status := e.HTTPStatus()
		msg := "Wrong email or password, or the account is deactivated."
		if e.Code == apperr.CodeRateLimited {
			msg = e.Message
		}
		c.render(w, r, status, "login.html", "Sign in", loginPage{Email: email, Next: next, Error: msg})
		return
	}
	if !u.IsActive || u.Role != models.RoleAdmin {
		c.notAllowed(w, r)
		return
	}
	c.sessions.start(w, u.ID, u.TokenVersion)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, Prefix+"/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix + "/"
	}
	return u.RequestURI()
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	c.sessions.clear(w)
	c.redirect(w, r, Prefix+"/login", flash{Kind: "ok", Text: "You are signed out."})
}

// dashboardPage is the content of dashboard.html.
type dashboardPage struct {
	services.DashboardSummary
	Chart chart
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) {
	sum, err := c.deps.Dashboard.Summary(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "dashboard.html", "Dashboard", dashboardPage{DashboardSummary: sum, Chart: revenueChart(sum.Days)})
}

// chart is a bar chart drawn as SVG on the server.
type chart struct {
	Width, Height int
	Bars          []bar
	Max           string
	First, Last   string
}

type bar struct {
	X, Y, W, H int
	Label      string
}

// revenueChart draws one bar per day, scaled to the best day.
func revenueChart(days []services.SalesDay) chart {
	const width, height, top = 600, 160, 10
	ch := chart{Width: width, Height: height + 20}
	if len(days) == 0 {
		return ch
	}
	var most int64
	for _, d := range days {
		most = max(most, d.RevenueCents)
	}
	ch.Max = money(most)
	ch.First, ch.Last = days[0].Day, days[len(days)-1].Day
	step := width / len(days)
	for i, d := range days {
		h := 0
		if most > 0 {
			h = int(d.RevenueCents * (height - top) / most)
		}
		if d.RevenueCents > 0 {
			h = max(h, 1)
		}
		ch.Bars = append(ch.Bars, bar{
			X: i*step + 1, Y: height - h, W: step - 2, H: h,
			Label: fmt.Sprintf("%s: %s revenue, %d orders", d.Day, money(d.RevenueCents), d.Orders),
		})
	}
	return ch
}
