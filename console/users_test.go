package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"tienda/apptest"
)

func TestUserPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, ana := e.Admin(), e.Customer()
		b := newBrowser(t, e)
		b.signIn(admin.Email)

		list := b.get("/admin/users")
		expect(t, list, http.StatusOK, "list", admin.Email+" <strong>(you)</strong>", ana.Email, "2 in all", fmt.Sprintf(`<label class="visually-hidden" for="role-%d">`, ana.ID))
		expect(t, b.get("/admin/users?q="+url.QueryEscape(ana.Email)), http.StatusOK, "search", ana.Email, "1 in all")
		expect(t, b.get("/admin/users?role=admin"), http.StatusOK, "admins", admin.Email, "1 in all")
		expect(t, b.get("/admin/users?role=owner"), http.StatusBadRequest, "bad role", "must be one of admin, customer")
		expect(t, b.get("/admin/users?is_active=false"), http.StatusOK, "none deactivated", "No users match")

		// The last admin cannot demote or deactivate themselves: a message, not an error page.
		back := "/admin/users?role=admin"
		p := b.follow(fmt.Sprintf("/admin/users/%d/role", admin.ID), url.Values{"role": {"customer"}, "back": {back}})
		expect(t, p, http.StatusOK, "demote the last admin", `flash-error`, "This would leave no active admin.", "<h1>Users</h1>")
		p = b.follow(fmt.Sprintf("/admin/users/%d/active", admin.ID), url.Values{"active": {"false"}})
		expect(t, p, http.StatusOK, "deactivate the last admin", "This would leave no active admin.")

		// Promote, deactivate and reactivate a customer; their API token ends with the change.
		p = b.follow(fmt.Sprintf("/admin/users/%d/role", ana.ID), url.Values{"role": {"admin"}, "back": {back}})
		expect(t, p, http.StatusOK, "promote", ana.Email+" is now admin", "2 in all")
		apptest.Expect(t, e.Get("/users/me", ana.Token), http.StatusUnauthorized, "the token after the role change")
		expect(t, b.follow(fmt.Sprintf("/admin/users/%d/active", ana.ID), url.Values{"active": {"false"}}), http.StatusOK,
			"deactivate", ana.Email+" is deactivated")
		expect(t, b.get("/admin/users?is_active=false"), http.StatusOK, "deactivated filter", ana.Email)
		expect(t, b.follow(fmt.Sprintf("/admin/users/%d/active", ana.ID), url.Values{"active": {"true"}}), http.StatusOK,
			"reactivate", ana.Email+" is active again.")
		expect(t, b.follow(fmt.Sprintf("/admin/users/%d/role", ana.ID), url.Values{"role": {"owner"}}), http.StatusOK,
			"bad role", "Role must be admin or customer.")

		// Now the first admin may step down, and loses the console at once.
		expectRedirect(t, b.post(fmt.Sprintf("/admin/users/%d/role", admin.ID), url.Values{"role": {"customer"}}), "/admin/users", "step down")
		expectRedirect(t, b.get("/admin/users"), "/admin/login?next=%2Fadmin%2Fusers", "the console after stepping down")
		expectRedirect(t, b.post(fmt.Sprintf("/admin/users/%d/role", ana.ID), url.Values{"role": {"customer"}}), "/admin/login", "a change after stepping down")

		c := newBrowser(t, e)
		c.signIn(e.Admin().Email)
		p = c.do(http.MethodPost, fmt.Sprintf("/admin/users/%d/active", ana.ID), url.Values{"active": {"false"}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""})
		expect(t, p, http.StatusForbidden, "cross-site deactivate", "Request refused")
	})
}
