package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"tienda/apptest"
	"tienda/console"
)

func TestSignIn(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		customer := e.Customer()

		t.Run("signed out pages send to the sign-in form", func(t *testing.T) {
			b := newBrowser(t, e)
			expectRedirect(t, b.get("/admin/"), "/admin/login", "dashboard signed out")
			login := b.get("/admin/login")
			expect(t, login, http.StatusOK, "sign-in form", `<label for="email">Email</label>`, `<label for="password">Password</label>`)
			if got := login.Header.Get("Content-Security-Policy"); got != console.ContentSecurityPolicy {
				t.Fatalf("CSP = %q, want the console's", got)
			}
			if got := login.Header.Get("Referrer-Policy"); got != "same-origin" {
				t.Fatalf("Referrer-Policy = %q, want same-origin", got)
			}
			if strings.Contains(login.Body, "<script>") || strings.Contains(login.Body, "style=") {
				t.Fatalf("the page has inline script or style:\n%s", login.Body)
			}
		})

		t.Run("an admin signs in with a strict cookie and sees the dashboard", func(t *testing.T) {
			b := newBrowser(t, e)
			p := b.post("/admin/login", url.Values{"email": {strings.ToUpper(admin.Email)}, "password": {apptest.Password}})
			expectRedirect(t, p, "/admin/", "sign in")
			ck := b.cookies["__Host-tienda_admin"]
			if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
				t.Fatalf("session cookie = %+v, want __Host-tienda_admin HttpOnly Secure SameSite=Lax Path=/", ck)
			}
			expect(t, b.get("/admin/"), http.StatusOK, "dashboard", "<h1>Dashboard</h1>", admin.Email, "Revenue per day")
		})

		t.Run("a wrong password shows the form again with a message", func(t *testing.T) {
			b := newBrowser(t, e)
			p := b.post("/admin/login", url.Values{"email": {admin.Email}, "password": {"wrong password!"}})
			expect(t, p, http.StatusUnauthorized, "wrong password", "Wrong email or password", `value="`+admin.Email+`"`)
			if len(b.cookies) != 0 {
				t.Fatalf("cookies after a failed sign-in: %v", b.cookies)
			}
		})

		t.Run("a customer is told the console is not for them", func(t *testing.T) {
			b := newBrowser(t, e)
			p := b.post("/admin/login", url.Values{"email": {customer.Email}, "password": {apptest.Password}})
			expect(t, p, http.StatusForbidden, "customer sign-in", "Not allowed")
			if len(b.cookies) != 0 {
				t.Fatalf("a customer got cookies: %v", b.cookies)
			}
		})

		t.Run("next stays inside the console", func(t *testing.T) {
			for next, want := range map[string]string{
				"/admin/?x=1":        "/admin/?x=1",
				"//evil.example/":    "/admin/",
				"https://evil.test/": "/admin/",
				"/swagger/":          "/admin/",
				"/\\evil.example":    "/admin/",
			} {
				b := newBrowser(t, e)
				p := b.post("/admin/login", url.Values{"email": {admin.Email}, "password": {apptest.Password}, "next": {next}})
				expectRedirect(t, p, want, "sign in with next="+next)
			}
		})

		t.Run("a tampered or foreign cookie is no session", func(t *testing.T) {
			b := newBrowser(t, e)
			b.signIn(admin.Email)
			ck := b.cookies["__Host-tienda_admin"]
			id, rest, _ := strings.Cut(ck.Value, ".")
			ck.Value = id + "1." + rest
			expectRedirect(t, b.get("/admin/"), "/admin/login", "tampered cookie")
			b.cookies["__Host-tienda_admin"] = &http.Cookie{Name: "__Host-tienda_admin", Value: admin.Token}
			expectRedirect(t, b.get("/admin/"), "/admin/login", "a JWT as the cookie")
		})

		t.Run("sign-out ends the session", func(t *testing.T) {
			b := newBrowser(t, e)
			b.signIn(admin.Email)
			p := b.follow("/admin/logout", url.Values{})
			expect(t, p, http.StatusOK, "after sign-out", "Sign in to the console", "You are signed out.")
			expectRedirect(t, b.get("/admin/"), "/admin/login", "dashboard after sign-out")
		})
	})
}

func TestSessionEndsWithTheTokenVersion(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		other := e.Admin()
		third := e.Admin()
		b := newBrowser(t, e)
		b.signIn(admin.Email)
		expect(t, b.get("/admin/"), http.StatusOK, "dashboard")
		apptest.Expect(t, e.Patch("/users/"+strconv.FormatUint(uint64(admin.ID), 10), other.Token, map[string]any{"password": "another good password"}),
			http.StatusOK, "change the admin's password")
		expectRedirect(t, b.get("/admin/"), "/admin/login", "dashboard after the password change")

		b2 := newBrowser(t, e)
		b2.signIn(other.Email)
		apptest.Expect(t, e.Patch("/users/"+strconv.FormatUint(uint64(other.ID), 10), third.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate")
		expectRedirect(t, b2.get("/admin/"), "/admin/login", "dashboard after deactivation")
	})
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		b := newBrowser(t, e)
		b.signIn(admin.Email)
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
		} {
			p := b.do(http.MethodPost, "/admin/logout", url.Values{}, h)
			expect(t, p, http.StatusForbidden, "cross-site sign-out", "Request refused")
			p = b.do(http.MethodPost, "/admin/login", url.Values{"email": {admin.Email}, "password": {apptest.Password}}, h)
			expect(t, p, http.StatusForbidden, "cross-site sign-in", "Request refused")
		}
		expect(t, b.get("/admin/"), http.StatusOK, "still signed in after the refused requests")
	})
}
