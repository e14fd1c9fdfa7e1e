package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"tienda/apptest"
)

// TestMain keeps Gin quiet: debug mode prints every route of every app the tests build.
func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// browser drives the console through the app's router like a browser on the same site: it
// keeps the cookies it is given and sends same-origin fetch metadata with its forms.
type browser struct {
	t       *testing.T
	e       *apptest.Env
	cookies map[string]*http.Cookie
}

func newBrowser(t *testing.T, e *apptest.Env) *browser {
	return &browser{t: t, e: e, cookies: map[string]*http.Cookie{}}
}

// page is one answer.
type page struct {
	Code   int
	Header http.Header
	Body   string
}

func (p page) Location() string { return p.Header.Get("Location") }

// do sends one request; form, when not nil, is posted url-encoded. headers override the defaults.
func (b *browser) do(method, path string, form url.Values, headers map[string]string) page {
	b.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequestWithContext(b.t.Context(), method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Origin", "http://example.com")
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	for _, c := range b.cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	w := httptest.NewRecorder()
	b.e.App.Handler.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return page{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil, nil)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.do(http.MethodPost, path, form, nil)
}

// follow posts form and then gets the page it redirects to, as a browser does after a form.
func (b *browser) follow(path string, form url.Values) page {
	b.t.Helper()
	p := b.post(path, form)
	if p.Code != http.StatusSeeOther {
		b.t.Fatalf("POST %s: got %d, want 303; body:\n%s", path, p.Code, p.Body)
	}
	return b.get(p.Location())
}

// signIn signs the browser in as email with apptest.Password and expects the dashboard.
func (b *browser) signIn(email string) {
	b.t.Helper()
	p := b.post("/admin/login", url.Values{"email": {email}, "password": {apptest.Password}})
	if p.Code != http.StatusSeeOther || p.Location() != "/admin/" {
		b.t.Fatalf("sign in %s: got %d to %q, want 303 to /admin/; body:\n%s", email, p.Code, p.Location(), p.Body)
	}
}

// expect fails unless p has status code and contains every one of texts.
func expect(t *testing.T, p page, code int, what string, texts ...string) {
	t.Helper()
	if p.Code != code {
		t.Fatalf("%s: got %d, want %d; body:\n%s", what, p.Code, code, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s: the page lacks %q; body:\n%s", what, s, p.Body)
		}
	}
}

// expectRedirect fails unless p is a 303 to location.
func expectRedirect(t *testing.T, p page, location, what string) {
	t.Helper()
	if p.Code != http.StatusSeeOther || p.Location() != location {
		t.Fatalf("%s: got %d to %q, want 303 to %q; body:\n%s", what, p.Code, p.Location(), location, p.Body)
	}
}
